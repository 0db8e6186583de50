#include "functions/daemon.hpp"

#include <csignal>

#include <boost/asio/io_context.hpp>

#include "control/server.hpp"
#include "daemon/runner.hpp"
#include "functions/control_ops.hpp"
#include "functions/service.hpp"
#include "log/logger.hpp"

namespace ros::functions {

int run_daemon(const config::Config& config, std::ostream& err) {
  auto fail = [&](const std::string& message) {
    err << "ros-fnd: " << message << "\n";
    log::fatal(message);
    return 1;
  };
  // A function that exits before reading its whole event must not kill the
  // daemon with SIGPIPE; the runner gives children the default back.
  std::signal(SIGPIPE, SIG_IGN);

  boost::asio::io_context io;
  // Two threads: a deploy waiting for npm install leaves one for the rest.
  daemon::Runner runner(io, 2);

  auto service = FunctionService::open(config);
  if (!service) return fail(service.error().message);

  control::ServerOptions control_options;
  control_options.daemon = "ros-fnd";
  control_options.socket_dir = config.effective_socket_dir();
  control::Server control_server(io, control_options, control_ops(**service));
  if (auto ok = control_server.start(); !ok) return fail(ok.error().message);

  (*service)->start_all();
  log::info("ros-fnd ", ROS_VERSION, " running Realm Functions from '",
            storage::Layout(config.storage.root_path).functions_dir().string(),
            "', control socket '", control_server.path().string(), "'");

  runner.on_stop([&] { control_server.stop(); });
  int status = runner.run();
  (*service)->stop_all();
  log::info("ros-fnd stopped");
  return status;
}

}  // namespace ros::functions
