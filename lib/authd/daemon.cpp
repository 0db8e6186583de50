#include "authd/daemon.hpp"

#include <ostream>

#include <boost/asio/io_context.hpp>

#include "authd/control_ops.hpp"
#include "authd/http_routes.hpp"
#include "control/server.hpp"
#include "daemon/runner.hpp"
#include "http/server.hpp"
#include "log/logger.hpp"

namespace ros::authd {

int run_daemon(const config::Config& config, std::ostream& err) {
  auto fail = [&](const std::string& message) {
    err << "ros-authd: " << message << "\n";
    log::fatal(message);
    return 1;
  };

  // Stores.
  storage::Layout layout(config.storage.root_path);
  auto store = admin::AdminStore::open(layout.admin_db());
  if (!store) return fail(store.error().message);

  // Keys (already checked by the configuration phase; loaded for use here).
  auto signer = auth::TokenSigner::load(config.auth.private_key_path);
  if (!signer) return fail(signer.error().message);
  auto verifier = auth::TokenVerifier::load(config.auth.public_key_path);
  if (!verifier) return fail(verifier.error().message);

  Context context(config, **store, std::move(*signer), std::move(*verifier));
  declare_metrics(context.metrics);

  // Signals are caught from here on (see daemon/runner.hpp).
  boost::asio::io_context io;
  // Password hashing and SQLite block a thread, so several serve.
  daemon::Runner runner(io, 4);

  auto admin_token = write_admin_token(context);
  if (!admin_token) return fail(admin_token.error().message);

  // Control socket, then HTTP: once the HTTP port answers, everything is ready.
  control::ServerOptions control_options;
  control_options.daemon = "ros-authd";
  control_options.socket_dir = config.effective_socket_dir();
  control::Server control_server(io, control_options, control_ops(context));
  if (auto started = control_server.start(); !started) return fail(started.error().message);

  http::ServerLimits limits;
  limits.max_body_bytes = static_cast<std::size_t>(config.http.max_body_bytes);
  http::Server http_server(
      io, [&context](const http::Request& r) { return handle_http(context, r); }, limits);
  const auto& listen = config.network.http;
  if (auto listening = http_server.listen(listen.listen_address, listen.listen_port); !listening) {
    return fail(listening.error().message);
  }

  log::info("ros-authd ", ROS_VERSION, " serving HTTP on ", listen.listen_address, ":",
            http_server.port(), ", control socket '", control_server.path().string(),
            "', admin token in '", layout.admin_token().string(), "'");

  runner.on_stop([&] {
    http_server.stop();
    control_server.stop();
  });
  runner.idle_check([&] { return http_server.open_connections() == 0; });
  int status = runner.run();
  log::info("ros-authd stopped");
  return status;
}

}  // namespace ros::authd
