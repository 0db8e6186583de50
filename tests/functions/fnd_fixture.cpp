#include "functions/fnd_fixture.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <catch2/catch.hpp>

#include "auth/mint.hpp"
#include "auth/token.hpp"
#include "control/client.hpp"
#include "support/net.hpp"
#include "support/server_config.hpp"

namespace ros::test {

FndFixture::FndFixture(const std::string& functions_yaml)
    : root(dir / "root"), keys(make_rsa_key_pair(dir.path(), "token")), sync_port(free_tcp_port()) {
  std::filesystem::create_directories(root);
  ServerConfig config(root, keys, free_tcp_port(), sync_port);
  config.extra_yaml = "functions:\n" + functions_yaml;
  config_file = dir.write("configuration.yml", server_config_yaml(config)).string();
  start_syncd();
  start_fnd();
}

FndFixture::~FndFixture() {
  stop_fnd();
  if (syncd) syncd->stop();
}

void FndFixture::start_syncd() {
  syncd = std::make_unique<DaemonProcess>("ros-syncd", std::vector<std::string>{"--config", config_file},
                                          dir / "syncd.log");
  if (!syncd->wait_for_port(sync_port)) {
    throw std::runtime_error("ros-syncd did not start:\n" + syncd->log());
  }
}

void FndFixture::start_fnd() {
  ++fnd_starts;
  fnd = std::make_unique<DaemonProcess>(
      "ros-fnd", std::vector<std::string>{"--config", config_file},
      dir / ("fnd-" + std::to_string(fnd_starts) + ".log"));
  // Ready once its control socket answers.
  const auto socket = root / "run" / "fnd.sock";
  bool up = eventually(
      [&] {
        if (!fnd->running()) return true;
        auto c = control::Client::connect(socket, "ros-fnd", std::chrono::seconds(1));
        return c.ok() && c->check_protocol().ok();
      },
      std::chrono::seconds(15));
  if (!up || !fnd->running()) throw std::runtime_error("ros-fnd did not start:\n" + fnd->log());
}

void FndFixture::kill_fnd() {
  ::kill(fnd->pid(), SIGKILL);
  fnd->wait_exit();
}

void FndFixture::stop_fnd() {
  if (fnd) fnd->stop();
  fnd.reset();
}

sync::client::ClientOptions FndFixture::client_options(const std::string& path) const {
  auto signer = auth::TokenSigner::load(keys.private_key);
  if (!signer) throw std::runtime_error(signer.error().message);
  auto claims =
      auth::access_claims("fn-tester", path, {"download", "upload"}, std::time(nullptr), 3600);
  sync::client::ClientOptions o;
  o.url = "ws://127.0.0.1:" + std::to_string(sync_port);
  o.token = signer->sign(claims);
  o.timeout = std::chrono::seconds(30);
  o.connect_timeout = std::chrono::seconds(10);
  o.reconnect_delay = std::chrono::milliseconds(100);
  o.max_reconnect_delay = std::chrono::milliseconds(1000);
  return o;
}

RunResult FndFixture::fn(std::vector<std::string> args) const {
  args.insert(args.begin(), {"--config", config_file});
  return run_program("ros-fn", args);
}

nlohmann::json FndFixture::fn_json(std::vector<std::string> args) const {
  args.insert(args.begin(), "--json");
  auto r = fn(args);
  INFO("ros-fn " << args.back() << ": " << r.err << r.out);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

std::string FndFixture::script(const std::string& name, const std::string& text) const {
  auto file = dir.write(name, text);
  ::chmod(file.c_str(), 0755);
  return file.string();
}

bool FndFixture::eventually(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

std::vector<nlohmann::json> json_lines(const std::filesystem::path& file) {
  std::vector<nlohmann::json> out;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    // A line being written is not complete JSON yet; the next read gets it.
    if (!j.is_discarded()) out.push_back(std::move(j));
  }
  return out;
}

}  // namespace ros::test
