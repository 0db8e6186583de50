#include "proxy/daemon.hpp"

#include <sys/resource.h>

#include <ostream>
#include <sstream>

#include <boost/asio/io_context.hpp>

#include "daemon/runner.hpp"
#include "log/logger.hpp"
#include "proxy/server.hpp"
#include "proxy/settings.hpp"
#include "proxy/tls.hpp"

namespace ros::proxy {
namespace {

// Each client connection may hold two descriptors (itself and its back end),
// so the soft limit is raised as far as the hard one allows.
void raise_descriptor_limit(std::size_t max_connections) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  const rlim_t needed = 2 * static_cast<rlim_t>(max_connections);
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed) {
    log::warn("proxy.max_connections is ", max_connections, " but only ", limit.rlim_cur,
              " file descriptors are allowed (about ", needed,
              " are needed; raise LimitNOFILE= or ulimit -n)");
  }
}

std::string describe(const Backend& backend) {
  std::ostringstream out;
  out << backend.name << " at " << backend.endpoint;
  return out.str();
}

}  // namespace

int run_daemon(const config::Config& config, std::ostream& err) {
  auto fail = [&](const std::string& message) {
    err << "ros-proxy: " << message << "\n";
    log::fatal(message);
    return 1;
  };
  const auto& http = config.proxy.http;
  const auto& https = config.proxy.https;
  if (!http.enable && !https.enable) {
    return fail("nothing to serve: proxy.http.enable and proxy.https.enable are both false");
  }
  Settings settings = settings_from(config);
  raise_descriptor_limit(settings.max_connections);

  // The certificate (already checked by the configuration phase).
  std::unique_ptr<TlsCertificate> tls;
  if (https.enable) {
    auto loaded = TlsCertificate::load(https.certificate_path, https.private_key_path,
                                       https.allow_self_signed);
    if (!loaded) return fail(loaded.error().message);
    tls = std::move(*loaded);
  }

  // Signals are caught from here on (see daemon/runner.hpp). TLS handshakes
  // cost CPU, so two threads serve.
  boost::asio::io_context io;
  daemon::Runner runner(io, 2);

  const auto drain = settings.drain_time;
  const std::string backends = describe(settings.http) + ", " + describe(settings.sync);
  Server server(io, std::move(settings));
  std::string serving;
  if (http.enable) {
    auto port = server.listen(http.listener.listen_address, http.listener.listen_port, nullptr);
    if (!port) return fail(port.error().message + " (proxy.http)");
    serving += "http/ws on " + http.listener.listen_address + " port " + std::to_string(*port);
  }
  if (https.enable) {
    auto port = server.listen(https.listener.listen_address, https.listener.listen_port, tls.get());
    if (!port) return fail(port.error().message + " (proxy.https)");
    if (!serving.empty()) serving += ", ";
    serving += "https/wss on " + https.listener.listen_address + " port " + std::to_string(*port);
  }
  log::info("ros-proxy ", ROS_VERSION, " serving ", serving, " for ", backends);

  runner.on_stop([&] { server.stop(); });
  runner.idle_check([&] { return server.open_connections() == 0; });
  runner.on_reload([&] {
    if (!tls) return;
    if (auto reloaded = tls->reload(); !reloaded) {
      log::error("SIGHUP: ", reloaded.error().message, "; keeping the current certificate");
    } else {
      log::info("SIGHUP: certificate '", tls->certificate_path().string(),
                "' reloaded; open connections keep the one they began with");
    }
  });
  int status = runner.run(drain);
  log::info("ros-proxy stopped");
  return status;
}

}  // namespace ros::proxy
