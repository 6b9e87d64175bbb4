"""ROS 2 message definitions, concatenated with their dependencies the way rosbag2 stores them."""

from __future__ import annotations

from argus.loggen.msgdefs_stack import STACK_DEFS, STACK_DEPS

# rosbag2 separates a definition from each dependency with this line and a `MSG: pkg/Type` line.
_SEPARATOR = "=" * 80

_DEFS: dict[str, str] = {
    "builtin_interfaces/Time": """\
# This message communicates ROS Time defined here:
# https://design.ros2.org/articles/clock_and_time.html

# The seconds component, valid over all int32 values.
int32 sec

# The nanoseconds component, valid in the range [0, 10e9).
uint32 nanosec
""",
    "std_msgs/Header": """\
# Standard metadata for higher-level stamped data types.
# This is generally used to communicate timestamped data
# in a particular coordinate frame.

# Two-integer timestamp that is expressed as seconds and nanoseconds.
builtin_interfaces/Time stamp

# Transform frame with which this data is associated.
string frame_id
""",
    "sensor_msgs/PointField": """\
# This message holds the description of one point entry in the
# PointCloud2 message format.
uint8 INT8    = 1
uint8 UINT8   = 2
uint8 INT16   = 3
uint8 UINT16  = 4
uint8 INT32   = 5
uint8 UINT32  = 6
uint8 FLOAT32 = 7
uint8 FLOAT64 = 8

# Common PointField names are x, y, z, intensity, rgb, rgba
string name      # Name of field
uint32 offset    # Offset from start of point struct
uint8  datatype  # Datatype enumeration, see above
uint32 count     # How many elements in the field
""",
    "sensor_msgs/PointCloud2": """\
# This message holds a collection of N-dimensional points, which may
# contain additional information such as normals, intensity, etc. The
# point data is stored as a binary blob, its layout described by the
# contents of the "fields" array.
#
# The point cloud data may be organized 2d (image-like) or 1d (unordered).
# Point clouds organized as 2d images may be produced by camera depth sensors
# such as stereo or time-of-flight.

# Time of sensor data acquisition, and the coordinate frame ID (for 3d points).
std_msgs/Header header

# 2D structure of the point cloud. If the cloud is unordered, height is
# 1 and width is the length of the point cloud.
uint32 height
uint32 width

# Describes the channels and their layout in the binary data blob.
PointField[] fields

bool    is_bigendian # Is this data bigendian?
uint32  point_step   # Length of a point in bytes
uint32  row_step     # Length of a row in bytes
uint8[] data         # Actual point data, size is (row_step*height)

bool is_dense        # True if there are no invalid points
""",
    "sensor_msgs/CompressedImage": """\
# This message contains a compressed image.

std_msgs/Header header # Header timestamp should be acquisition time of image
                             # Header frame_id should be optical frame of camera
                             # origin of frame should be optical center of cameara
                             # +x should point to the right in the image
                             # +y should point down in the image
                             # +z should point into to plane of the image

string format                # Specifies the format of the data
                             #   Acceptable values:
                             #     jpeg, png, tiff

uint8[] data                 # Compressed image buffer
""",
    "geometry_msgs/Quaternion": """\
# This represents an orientation in free space in quaternion form.

float64 x 0
float64 y 0
float64 z 0
float64 w 1
""",
    "geometry_msgs/Vector3": """\
# This represents a vector in free space.

float64 x
float64 y
float64 z
""",
    "sensor_msgs/Imu": """\
# This is a message to hold data from an IMU (Inertial Measurement Unit)
#
# Accelerations should be in m/s^2 (not in g's), and rotational velocity should be in rad/sec
#
# If the covariance of the measurement is known, it should be filled in (if all you know is the
# variance of each measurement, e.g. from the datasheet, just put those along the diagonal)
# A covariance matrix of all zeros will be interpreted as "covariance unknown", and to use the
# data a covariance will have to be assumed or gotten from some other source

std_msgs/Header header

geometry_msgs/Quaternion orientation
float64[9] orientation_covariance # Row major about x, y, z axes

geometry_msgs/Vector3 angular_velocity
float64[9] angular_velocity_covariance # Row major about x, y, z axes

geometry_msgs/Vector3 linear_acceleration
float64[9] linear_acceleration_covariance # Row major x, y z
""",
    "sensor_msgs/NavSatStatus": """\
# Navigation Satellite fix status for any Global Navigation Satellite System.

# Whether to output an augmented fix is determined by both the fix
# type and the last time differential corrections were received.
int8 STATUS_NO_FIX =  -1        # unable to fix position
int8 STATUS_FIX =      0        # unaugmented fix
int8 STATUS_SBAS_FIX = 1        # with satellite-based augmentation
int8 STATUS_GBAS_FIX = 2        # with ground-based augmentation

int8 status

# Bits defining which Global Navigation Satellite System signals were
# used by the receiver.

uint16 SERVICE_GPS =     1
uint16 SERVICE_GLONASS = 2
uint16 SERVICE_COMPASS = 4      # includes BeiDou.
uint16 SERVICE_GALILEO = 8

uint16 service
""",
    "sensor_msgs/NavSatFix": """\
# Navigation Satellite fix for any Global Navigation Satellite System
#
# Specified using the WGS 84 reference ellipsoid

std_msgs/Header header

# Satellite fix status information.
NavSatStatus status

# Latitude [degrees]. Positive is north of equator; negative is south.
float64 latitude

# Longitude [degrees]. Positive is east of prime meridian; negative is west.
float64 longitude

# Altitude [m]. Positive is above the WGS 84 ellipsoid
# (quiet NaN if no altitude is available).
float64 altitude

# Position covariance [m^2] defined relative to a tangential plane
# through the reported position. The components are East, North, and
# Up (ENU), in row-major order.
float64[9] position_covariance

uint8 COVARIANCE_TYPE_UNKNOWN = 0
uint8 COVARIANCE_TYPE_APPROXIMATED = 1
uint8 COVARIANCE_TYPE_DIAGONAL_KNOWN = 2
uint8 COVARIANCE_TYPE_KNOWN = 3

uint8 position_covariance_type
""",
    "can_msgs/Frame": """\
std_msgs/Header header
uint32 id
bool is_rtr
bool is_extended
bool is_error
uint8 dlc
uint8[8] data
""",
    "rcl_interfaces/Log": """\
# Debug is for pedantic information, which is useful when debugging issues.
byte DEBUG=10

# Info is the standard informational level and is used to report expected
# information.
byte INFO=20

# Warning is for information that may potentially cause issues or possibly unexpected
# behavior.
byte WARN=30

# Error is for information that this node cannot resolve.
byte ERROR=40

# Information about a impending node shutdown.
byte FATAL=50

# Timestamp when this message was generated by the node.
builtin_interfaces/Time stamp

# Corresponding log level, see above definitions.
uint8 level

# The name representing the logger this message came from.
string name

# The full log message.
string msg

# The file the message came from.
string file

# The function the message came from.
string function

# The line in the file the message came from.
uint32 line
""",
    "diagnostic_msgs/KeyValue": """\
# What to label this value when viewing.
string key
# A value to track over time.
string value
""",
    "diagnostic_msgs/DiagnosticStatus": """\
# This message holds the status of an individual component of the robot.

# Possible levels of operations.
byte OK=0
byte WARN=1
byte ERROR=2
byte STALE=3

# Level of operation enumerated above.
byte level
# A description of the test/component reporting.
string name
# A description of the status.
string message
# A hardware unique string.
string hardware_id
# An array of values associated with the status.
KeyValue[] values
""",
    "diagnostic_msgs/DiagnosticArray": """\
# This message is used to send diagnostic information about the state of the robot.
std_msgs/Header header # for timestamp
DiagnosticStatus[] status # an array of components being reported on
""",
}

# Direct dependencies, in order of first use; a dependency's own dependencies follow it.
_DEPS: dict[str, tuple[str, ...]] = {
    "std_msgs/Header": ("builtin_interfaces/Time",),
    "sensor_msgs/PointCloud2": ("std_msgs/Header", "sensor_msgs/PointField"),
    "sensor_msgs/CompressedImage": ("std_msgs/Header",),
    "sensor_msgs/Imu": ("std_msgs/Header", "geometry_msgs/Quaternion", "geometry_msgs/Vector3"),
    "sensor_msgs/NavSatFix": ("std_msgs/Header", "sensor_msgs/NavSatStatus"),
    "can_msgs/Frame": ("std_msgs/Header",),
    "rcl_interfaces/Log": ("builtin_interfaces/Time",),
    "diagnostic_msgs/DiagnosticStatus": ("diagnostic_msgs/KeyValue",),
    "diagnostic_msgs/DiagnosticArray": ("std_msgs/Header", "diagnostic_msgs/DiagnosticStatus"),
}


_DEFS.update(STACK_DEFS)
_DEPS.update(STACK_DEPS)


def _closure(name: str) -> list[str]:
    ordered: list[str] = []
    for dep in _DEPS.get(name, ()):
        for item in [dep, *_closure(dep)]:
            if item not in ordered:
                ordered.append(item)
    return ordered


def schema_text(datatype: str) -> str:
    """The rosbag2-style schema text of `pkg/msg/Type`: its definition, then each dependency."""
    package, _, type_name = datatype.partition("/msg/")
    short = f"{package}/{type_name}"
    parts = [_DEFS[short]]
    parts += [f"{_SEPARATOR}\nMSG: {dep}\n{_DEFS[dep]}" for dep in _closure(short)]
    return "".join(parts)
