module argus/bench/goupload

go 1.22
