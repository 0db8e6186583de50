#include "authd/daemon.hpp"

#include <ostream>

#include <algorithm>
#include <chrono>
#include <functional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

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
  for (const auto& [id, app] : config.apps) {
    if (!app.custom_token.enabled) continue;
    auto key = auth::CustomTokenKey::load(app.custom_token.algorithm, app.custom_token.key_path);
    if (!key) return fail("apps." + id + ".providers.custom-token.key_path: " + key.error().message);
    context.custom_token_keys.emplace(id, std::move(*key));
  }

  // Signals are caught from here on (see daemon/runner.hpp).
  boost::asio::io_context io;
  // Password hashing and SQLite block a thread, so several serve.
  daemon::Runner runner(io, 4);

  // A new admin token at each start; the ones of earlier runs are revoked.
  auto admin_token = rotate_admin_token(context, true);
  if (!admin_token) return fail(admin_token.error().message);
  // Replaced when half its life has passed, so admin_token.base64 always
  // holds a token with at least half its life left; the one replaced stays
  // valid until it expires. Expired revocations are purged at the same pace.
  boost::asio::steady_timer rotation(io);
  const auto rotation_period = std::chrono::seconds(std::max<std::int64_t>(1, config.tokens.admin_lifetime / 2));
  std::function<void()> schedule_rotation = [&] {
    rotation.expires_after(rotation_period);
    rotation.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      if (auto rotated = rotate_admin_token(context, false); !rotated) {
        log::error("replacing the admin token failed: ", rotated.error().message);
      }
      if (auto purged = context.store.purge_expired_revocations(context.now()); !purged) {
        log::warn("purging expired token revocations failed: ", purged.error().message);
      }
      schedule_rotation();
    });
  };
  schedule_rotation();

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
    rotation.cancel();
    http_server.stop();
    control_server.stop();
  });
  runner.idle_check([&] { return http_server.open_connections() == 0; });
  int status = runner.run();
  log::info("ros-authd stopped");
  return status;
}

}  // namespace ros::authd
