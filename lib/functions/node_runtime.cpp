#include "functions/node_runtime.hpp"

#include <fstream>

namespace ros::functions {

std::string_view node_runtime_source() {
  return R"JS('use strict';
// ros-fnd's runtime for Node module functions (ros-fnd(8)).
const path = require('path');
const entry = process.argv[2];

function view(objects) {
  const classes = objects || {};
  return {
    objects(className) { return classes[className] || []; },
    get classNames() { return Object.keys(classes); },
  };
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', async () => {
  let event;
  try {
    event = JSON.parse(input);
  } catch (e) {
    console.error('ros-fn runtime: the event is not JSON: ' + e.message);
    process.exit(70);
  }
  let fn;
  try {
    fn = require(path.resolve(entry));
  } catch (e) {
    console.error('ros-fn runtime: cannot load ' + entry + ': ' + (e && e.stack || e));
    process.exit(71);
  }
  if (typeof fn !== 'function' && fn && typeof fn.default === 'function') fn = fn.default;
  if (typeof fn !== 'function') {
    console.error('ros-fn runtime: ' + entry + ' does not export a function ' +
                  '(module.exports = function (changeEvent) { ... })');
    process.exit(72);
  }
  const changeEvent = {
    path: event.path,
    version: event.version,
    changes: event.changes,
    realm: view(event.realm),
    oldRealm: view(event.oldRealm),
  };
  try {
    await fn(changeEvent);
  } catch (e) {
    console.error(e && e.stack ? e.stack : String(e));
    process.exit(1);
  }
  process.exitCode = 0;
});
)JS";
}

Result<void> install_node_runtime(const std::filesystem::path& file) {
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  const auto temp = file.string() + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << node_runtime_source();
    out.flush();
    if (!out) {
      return make_error(Errc::unavailable, "cannot write the Node runtime '" + temp + "'");
    }
  }
  std::filesystem::rename(temp, file, ec);
  if (ec) {
    return make_error(Errc::unavailable,
                      "cannot write the Node runtime '" + file.string() + "': " + ec.message());
  }
  return {};
}

}  // namespace ros::functions
