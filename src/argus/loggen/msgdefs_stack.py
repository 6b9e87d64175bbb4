"""Message definitions of the scenario vehicle's extra topics: pose, planned path, radar scan.

Same rosbag2 form as `msgdefs`: the `.msg` text (trimmed comments), dependencies listed apart.
"""

from __future__ import annotations

STACK_DEFS: dict[str, str] = {
    "geometry_msgs/Point": """\
# This contains the position of a point in free space
float64 x
float64 y
float64 z
""",
    "geometry_msgs/Pose": """\
# A representation of pose in free space, composed of position and orientation.
Point position
Quaternion orientation
""",
    "geometry_msgs/PoseStamped": """\
# A Pose with reference coordinate frame and timestamp
std_msgs/Header header
Pose pose
""",
    "geometry_msgs/PoseWithCovariance": """\
# This represents a pose in free space with uncertainty.
Pose pose
# Row-major representation of the 6x6 covariance matrix
float64[36] covariance
""",
    "geometry_msgs/PoseWithCovarianceStamped": """\
# This expresses an estimated pose with a reference coordinate frame and timestamp
std_msgs/Header header
PoseWithCovariance pose
""",
    "nav_msgs/Path": """\
# An array of poses that represents a Path for a robot to follow.
std_msgs/Header header
geometry_msgs/PoseStamped[] poses
""",
    "radar_msgs/RadarReturn": """\
# All variables below are relative to the radar's frame of reference.
float32 range
float32 azimuth
float32 elevation
float32 doppler_velocity
float32 amplitude
""",
    "radar_msgs/RadarScan": """\
std_msgs/Header header
radar_msgs/RadarReturn[] returns
""",
}

STACK_DEPS: dict[str, tuple[str, ...]] = {
    "geometry_msgs/Pose": ("geometry_msgs/Point", "geometry_msgs/Quaternion"),
    "geometry_msgs/PoseStamped": ("std_msgs/Header", "geometry_msgs/Pose"),
    "geometry_msgs/PoseWithCovariance": ("geometry_msgs/Pose",),
    "geometry_msgs/PoseWithCovarianceStamped": (
        "std_msgs/Header",
        "geometry_msgs/PoseWithCovariance",
    ),
    "nav_msgs/Path": ("std_msgs/Header", "geometry_msgs/PoseStamped"),
    "radar_msgs/RadarScan": ("std_msgs/Header", "radar_msgs/RadarReturn"),
}
