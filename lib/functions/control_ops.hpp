// The op table of fnd.sock (design.md, "Control protocol"), ros-fn's ops:
//   fn.deploy {name, regex, kind, entry, files, from_start}   write
//   fn.list                                                   read
//   fn.show {name}                                            read
//   fn.start {name} / fn.stop {name} / fn.rm {name}           write
//   fn.logs {name, lines, follow}                             read, stream
// The work is FunctionService's (service.hpp); shapes are in ros-fn(1).
#pragma once

#include <vector>

#include "control/server.hpp"
#include "functions/service.hpp"

namespace ros::functions {

std::vector<control::Op> control_ops(FunctionService& service);

}  // namespace ros::functions
