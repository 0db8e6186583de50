// The Node.js runtime of Realm Functions in the original's form: a module
// whose `module.exports` is a function of the change event. ros-fnd runs
//   node <runtime.js> <function's entry>
// with the event (realm_mirror.hpp) as JSON on standard input. The runtime
// loads the module, calls it with a changeEvent whose `realm` and
// `oldRealm` answer objects(className) (an array of plain objects, empty for
// a class the event does not carry), awaits a returned promise, and exits 0
// when the function finished; a throw or a rejected promise prints its stack
// on standard error and exits 1. console.log and console.error go to the
// function's log, as every output of a function does.
#pragma once

#include <filesystem>
#include <string_view>

#include "common/result.hpp"

namespace ros::functions {

// The runtime's source.
std::string_view node_runtime_source();

// Writes the runtime to `file` (temp name, then rename, so a running
// function never sees half a file).
Result<void> install_node_runtime(const std::filesystem::path& file);

}  // namespace ros::functions
