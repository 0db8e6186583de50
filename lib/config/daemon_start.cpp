#include "config/daemon_start.hpp"

#include <ostream>

#include "config/scope.hpp"
#include "config/validate.hpp"
#include "log/logger.hpp"

namespace ros::config {

std::optional<Config> prepare_daemon(std::string_view daemon, const Overrides& overrides,
                                     std::ostream& err) {
  auto scope = daemon_scope(daemon);
  if (!scope) {
    err << daemon << ": internal error: no configuration scope for this daemon\n";
    return std::nullopt;
  }
  Loaded loaded = load_and_validate(overrides, *scope);
  if (!loaded.ok()) {
    err << loaded.format_errors();
    std::size_t n = loaded.errors.size();
    err << daemon << ": not starting: " << n << " configuration " << (n == 1 ? "error" : "errors")
        << " (check with: ros-check-config --daemon " << daemon << " --config "
        << loaded.file_as_given << ")\n";
    return std::nullopt;
  }

  auto& logger = log::logger();
  logger.set_program(std::string(daemon));
  logger.set_level(loaded.config.logging.level);
  if (auto opened = logger.set_file(loaded.config.logging.path); !opened) {
    err << daemon << ": not starting: " << opened.error().message << "\n";
    return std::nullopt;
  }
  log::info(daemon, " ", ROS_VERSION, " starting with configuration '",
            loaded.config.file.string(), "', data directory '",
            loaded.config.storage.root_path.string(), "'");
  return std::move(loaded.config);
}

}  // namespace ros::config
