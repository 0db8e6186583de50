#include "sync/server/daemon.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "admin/store.hpp"
#include "auth/token.hpp"
#include "control/server.hpp"
#include "daemon/runner.hpp"
#include "log/logger.hpp"
#include "storage/layout.hpp"
#include "sync/server/change_feed.hpp"
#include "sync/server/control_ops.hpp"
#include "sync/server/permission_feed.hpp"
#include "sync/server/sync_service.hpp"

namespace ros::sync::server {

int run_daemon(const config::Config& config, std::ostream& err) {
  auto fail = [&](const std::string& message) {
    err << "ros-syncd: " << message << "\n";
    log::fatal(message);
    return 1;
  };
  const auto started = std::chrono::steady_clock::now();

  storage::Layout layout(config.storage.root_path);
  auto verifier = auth::TokenVerifier::load(config.auth.public_key_path);
  if (!verifier) return fail(verifier.error().message);
  // admin.db is only read here (rights); ros-authd writes it.
  auto admin = admin::AdminStore::open(layout.admin_db());
  if (!admin) return fail(admin.error().message);

  boost::asio::io_context io;
  daemon::Runner runner(io, 2);
  // Realm strands: SQLite commits block, so they run here, off the network
  // threads.
  boost::asio::thread_pool storage_pool(4);

  // The change feed reads committed history; a commit only wakes its followers.
  ChangeFeed change_feed(layout);
  SyncService::Options options{layout, {}, &*verifier, admin->get(), {}};
  options.on_commit = [&change_feed](const std::string& path) { change_feed.notify(path); };
  options.limits.max_message_bytes = static_cast<std::uint64_t>(config.sync.max_message_bytes);
  options.limits.max_sessions_per_connection =
      static_cast<std::uint64_t>(config.sync.max_sessions_per_connection);
  options.limits.max_connections = static_cast<std::uint64_t>(config.sync.max_connections);
  options.limits.max_download_bytes = static_cast<std::uint64_t>(config.sync.max_download_bytes);
  options.limits.idle_timeout = std::chrono::seconds(config.sync.idle_timeout);
  options.limits.max_upload_bytes = static_cast<std::uint64_t>(config.sync.max_upload_bytes);
  options.limits.max_connection_buffer_bytes =
      static_cast<std::uint64_t>(config.sync.max_connection_buffer_bytes);
  options.limits.max_realms_per_user = static_cast<std::uint64_t>(config.sync.max_realms_per_user);
  options.limits.realm_idle_timeout = std::chrono::seconds(config.sync.realm_idle_timeout);
  options.limits.bind_timeout = std::chrono::seconds(config.sync.bind_timeout);
  options.limits.unauthenticated_message_bytes =
      static_cast<std::uint64_t>(config.sync.unauthenticated_message_bytes);
  options.limits.max_connections_per_address =
      static_cast<std::uint64_t>(config.sync.max_connections_per_address);
  options.limits.store.max_upload_instructions =
      static_cast<std::size_t>(config.sync.max_changeset_instructions);
  options.limits.store.max_merge_work = static_cast<std::uint64_t>(config.sync.max_merge_work);
  SyncService service(io, storage_pool.get_executor(), options);

  control::ServerOptions control_options;
  control_options.daemon = "ros-syncd";
  control_options.socket_dir = config.effective_socket_dir();
  // Every running Realm Function of ros-fnd follows the change feed on its
  // own connection (ros-fnd(8)), so the default of 32 would cap them.
  control_options.max_connections = 1024;
  control::Server control_server(io, control_options, control_ops(service, change_feed, started));
  if (auto ok = control_server.start(); !ok) return fail(ok.error().message);

  PermissionFeed feed(io, control::socket_path(config.effective_socket_dir(), "ros-authd"),
                      [&service](std::optional<std::string> identity,
                                 std::optional<std::string> realm) {
                        service.recheck(std::move(identity), std::move(realm));
                      });
  feed.start();

  const auto& listen = config.network.sync;
  if (auto ok = service.listen(listen.listen_address, listen.listen_port); !ok) {
    return fail(ok.error().message);
  }
  log::info("ros-syncd ", ROS_VERSION, " serving Realm sync on ", listen.listen_address, ":",
            service.port(), ", Realms in '", layout.realms_dir().string(), "', control socket '",
            control_server.path().string(), "'");

  runner.on_stop([&] {
    service.stop();
    control_server.stop();
    change_feed.stop();
    feed.stop();
  });
  runner.idle_check([&] { return service.stats().connections.load() == 0; });
  int status = runner.run();
  storage_pool.join();
  log::info("ros-syncd stopped");
  return status;
}

}  // namespace ros::sync::server
