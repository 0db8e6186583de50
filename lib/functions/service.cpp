#include "functions/service.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <thread>

#include "auth/base64.hpp"
#include "control/protocol.hpp"
#include "functions/node_runtime.hpp"
#include "functions/runner.hpp"
#include "log/logger.hpp"
#include "sync/inspect/inspect.hpp"

namespace ros::functions {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

Result<void> check_file_path(const std::string& path) {
  auto bad = [&](const std::string& why) {
    return make_error(Errc::invalid_argument, "cannot deploy the file '" + path + "': " + why);
  };
  if (path.empty() || path.size() > 1024) return bad("a path is 1-1024 characters");
  if (path.front() == '/') return bad("the path must be relative to the function's folder");
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string segment = path.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..") {
      return bad("empty, '.' and '..' segments are not allowed");
    }
    start = end + 1;
  }
  return {};
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

Result<void> FunctionService::check_name(const std::string& name) {
  static const std::regex valid("[A-Za-z0-9_][A-Za-z0-9_-]{0,63}");
  if (!std::regex_match(name, valid)) {
    return make_error(Errc::invalid_argument,
                      "invalid function name '" + name.substr(0, 80) +
                          "': 1-64 characters of letters, digits, '_' and '-', not starting "
                          "with '-'");
  }
  return {};
}

FunctionService::FunctionService(const config::Config& config, std::unique_ptr<Registry> registry)
    : layout_(config.storage.root_path),
      options_(config.functions),
      syncd_socket_(control::socket_path(config.effective_socket_dir(), "ros-syncd")),
      runtime_js_(layout_.functions_dir() / ".runtime" / "runtime.js"),
      registry_(std::move(registry)) {}

Result<std::unique_ptr<FunctionService>> FunctionService::open(const config::Config& config) {
  storage::Layout layout(config.storage.root_path);
  std::error_code ec;
  for (const auto& dir : {layout.functions_dir(), layout.logs_dir()}) {
    fs::create_directories(dir, ec);
    if (ec) {
      return make_error(Errc::unavailable,
                        "cannot create '" + dir.string() + "': " + ec.message());
    }
  }
  auto registry = Registry::open(layout.admin_db());
  if (!registry) return registry.error();
  std::unique_ptr<FunctionService> service(new FunctionService(config, std::move(*registry)));
  if (auto ok = install_node_runtime(service->runtime_js_); !ok) return ok.error();
  return service;
}

FunctionService::~FunctionService() { stop_all(); }

WorkerOptions FunctionService::worker_options(const std::string& name) const {
  WorkerOptions o;
  o.syncd_socket = syncd_socket_;
  o.function_dir = layout_.functions_dir() / name;
  o.log_file = layout_.logs_dir() / (name + ".log");
  o.node_path = options_.node_path;
  o.runtime_js = runtime_js_;
  o.timeout = std::chrono::seconds(options_.timeout);
  o.max_attempts = options_.max_attempts;
  o.retry_delay = std::chrono::seconds(options_.retry_delay);
  o.max_retry_delay = std::chrono::seconds(options_.max_retry_delay);
  return o;
}

void FunctionService::start_worker(const FunctionRecord& record) {
  auto worker = std::make_unique<Worker>(record, *registry_, worker_options(record.name));
  worker->start();
  workers_[record.name] = std::move(worker);
}

void FunctionService::stop_worker(const std::string& name) {
  auto it = workers_.find(name);
  if (it == workers_.end()) return;
  it->second->stop();
  workers_.erase(it);
}

void FunctionService::start_all() {
  auto all = registry_->list();
  if (!all) {
    log::error(all.error().message);
    return;
  }
  std::lock_guard lock(mutex_);
  for (const auto& record : *all) {
    if (record.state == State::running) start_worker(record);
  }
  log::info("ros-fnd: ", workers_.size(), " of ", all->size(), " functions running");
}

void FunctionService::stop_all() {
  std::vector<std::thread> followers;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    for (auto& [name, worker] : workers_) worker->stop();
    workers_.clear();
    followers.swap(log_followers_);
  }
  for (auto& t : followers) {
    if (t.joinable()) t.join();
  }
}

json FunctionService::describe(const FunctionRecord& r) {
  json out = {{"name", r.name},
              {"regex", r.regex},
              {"kind", to_string(r.kind)},
              {"entry", r.entry},
              {"state", to_string(r.state)},
              {"reason", r.reason.empty() ? json(nullptr) : json(r.reason)},
              {"deployed_at", r.deployed_at},
              {"updated_at", r.updated_at},
              {"folder", (layout_.functions_dir() / r.name).string()},
              {"log", (layout_.logs_dir() / (r.name + ".log")).string()}};
  auto it = workers_.find(r.name);
  if (it != workers_.end()) {
    json status = it->second->status();
    for (auto& [k, v] : status.items()) out[k] = v;
  }
  return out;
}

Result<json> FunctionService::deploy(const json& args) {
  const std::string name = args.value("name", "");
  if (auto ok = check_name(name); !ok) return ok.error();
  const std::string regex = args.value("regex", "");
  try {
    std::regex check(regex, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return make_error(Errc::invalid_argument,
                      "'" + regex + "' is not a valid regular expression: " + e.what());
  }
  auto kind = kind_from_string(args.value("kind", "node"));
  if (!kind) return make_error(Errc::invalid_argument, "'kind' is 'node' or 'executable'");
  const std::string entry = args.value("entry", "");
  if (auto ok = check_file_path(entry); !ok) return ok.error();
  const json& files = args["files"];
  bool entry_found = false;
  bool has_package = false;
  for (const auto& f : files) {
    if (!f.is_object() || !f.contains("path") || !f["path"].is_string() ||
        !f.contains("content") || !f["content"].is_string()) {
      return make_error(Errc::invalid_argument,
                        "'files' holds objects {\"path\", \"content\" (base64), \"mode\"}");
    }
    auto path = f["path"].get<std::string>();
    if (auto ok = check_file_path(path); !ok) return ok.error();
    if (path == entry) entry_found = true;
    if (path == "package.json") has_package = true;
  }
  // A Node directory module is loaded by its folder (package.json "main",
  // or index.js): entry "." is not a file path, so it is checked apart.
  if (!entry_found) {
    return make_error(Errc::invalid_argument,
                      "the entry '" + entry + "' is not among the deployed files");
  }

  std::lock_guard lock(mutex_);
  if (stopped_) return make_error(Errc::unavailable, "ros-fnd is stopping");
  const fs::path target = layout_.functions_dir() / name;
  const fs::path staging = layout_.functions_dir() / (name + ".deploying");
  std::error_code ec;
  fs::remove_all(staging, ec);
  for (const auto& f : files) {
    const fs::path file = staging / f["path"].get<std::string>();
    auto content = auth::base64_decode(f["content"].get<std::string>());
    if (!content) {
      return make_error(Errc::invalid_argument, "the content of '" +
                                                    f["path"].get<std::string>() +
                                                    "' is not base64: " + content.error().message);
    }
    fs::create_directories(file.parent_path(), ec);
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << *content;
    out.close();
    if (!out) {
      fs::remove_all(staging, ec);
      return make_error(Errc::unavailable, "cannot write '" + file.string() + "'");
    }
    int mode = f.value("mode", 0644) & 0755;
    ::chmod(file.c_str(), static_cast<mode_t>(mode | 0600));
  }
  if (*kind == Kind::executable && ::access((staging / entry).c_str(), X_OK) != 0) {
    fs::remove_all(staging, ec);
    return make_error(Errc::invalid_argument,
                      "'" + entry + "' is not executable (chmod +x it, or deploy a Node module)");
  }
  const fs::path log_file = layout_.logs_dir() / (name + ".log");
  if (has_package) {
    int fd = ::open(log_file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    append_log_line(fd, "npm install for the deploy of '" + name + "'");
    RunSpec spec;
    spec.argv = {options_.npm_path.string(), "install", "--no-audit", "--no-fund",
                 "--omit=dev"};
    spec.cwd = staging;
    spec.log_fd = fd;
    spec.timeout = std::chrono::seconds(options_.install_timeout);
    RunOutcome outcome = run(spec, {});
    if (fd >= 0) ::close(fd);
    if (!outcome.ok()) {
      fs::remove_all(staging, ec);
      return make_error(Errc::invalid_argument, "npm install for '" + name + "' " +
                                                    outcome.describe() + " (ros-fn logs " + name +
                                                    " shows its output)");
    }
  }

  // Cursors of a new function: the present, so it reacts to what comes next.
  Cursors cursors;
  if (!args.value("from_start", false)) {
    std::regex re(regex, std::regex::ECMAScript);
    json realms = sync::inspect::list_realms(layout_);
    for (const auto& realm : realms["realms"]) {
      std::string path = realm.value("path", "");
      if (realm.contains("latest_version") && std::regex_match(path, re)) {
        cursors[path] = realm["latest_version"].get<std::uint64_t>();
      }
    }
  }

  stop_worker(name);
  const fs::path old = layout_.functions_dir() / (name + ".old");
  fs::remove_all(old, ec);
  if (fs::exists(target, ec)) fs::rename(target, old, ec);
  fs::rename(staging, target, ec);
  if (ec) {
    return make_error(Errc::unavailable,
                      "cannot move '" + staging.string() + "' to '" + target.string() + "': " +
                          ec.message());
  }
  fs::remove_all(old, ec);
  FunctionRecord record;
  record.name = name;
  record.regex = regex;
  record.kind = *kind;
  record.entry = entry;
  auto stored = registry_->deploy(record, cursors);
  if (!stored) return stored.error();
  start_worker(*stored);
  log::info("deployed function '", name, "' (", to_string(*kind), ", regex '", regex, "')");
  return describe(*stored);
}

Result<json> FunctionService::list() {
  auto all = registry_->list();
  if (!all) return all.error();
  std::lock_guard lock(mutex_);
  json out = json::array();
  for (const auto& r : *all) out.push_back(describe(r));
  return json{{"functions", std::move(out)}};
}

Result<json> FunctionService::show(const std::string& name) {
  auto r = registry_->get(name);
  if (!r) return r.error();
  auto cursors = registry_->cursors(name);
  if (!cursors) return cursors.error();
  std::lock_guard lock(mutex_);
  json out = describe(*r);
  out["cursors"] = *cursors;
  return out;
}

Result<json> FunctionService::start(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto r = registry_->get(name);
  if (!r) return r.error();
  auto it = workers_.find(name);
  if (r->state == State::running && it != workers_.end() && !it->second->finished()) {
    return describe(*r);  // already running: not an error
  }
  stop_worker(name);
  if (auto ok = registry_->set_state(name, State::running, ""); !ok) return ok.error();
  auto now = registry_->get(name);
  if (!now) return now.error();
  start_worker(*now);
  return describe(*now);
}

Result<json> FunctionService::stop(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto r = registry_->get(name);
  if (!r) return r.error();
  stop_worker(name);
  if (r->state == State::running) {
    if (auto ok = registry_->set_state(name, State::stopped, "stopped by an operator"); !ok) {
      return ok.error();
    }
  }
  auto now = registry_->get(name);
  if (!now) return now.error();
  return describe(*now);
}

Result<json> FunctionService::remove(const std::string& name) {
  std::lock_guard lock(mutex_);
  if (auto r = registry_->get(name); !r) return r.error();
  stop_worker(name);
  if (auto ok = registry_->remove(name); !ok) return ok.error();
  std::error_code ec;
  fs::remove_all(layout_.functions_dir() / name, ec);
  // The log stays: it tells what the function did (removed with the data).
  return json{{"removed", name}, {"log", (layout_.logs_dir() / (name + ".log")).string()}};
}

void FunctionService::logs(const std::string& name, std::int64_t lines, bool follow,
                           std::shared_ptr<control::Writer> writer) {
  if (auto ok = check_name(name); !ok) return writer->fail(ok.error());
  const fs::path file = layout_.logs_dir() / (name + ".log");
  std::error_code ec;
  if (!registry_->get(name) && !fs::exists(file, ec)) {
    return writer->fail(make_error(Errc::not_found, "no function '" + name + "'"));
  }
  std::lock_guard lock(mutex_);
  if (stopped_) return writer->fail(make_error(Errc::unavailable, "ros-fnd is stopping"));
  log_followers_.emplace_back([this, file, lines, follow, writer] {
    std::string text = read_text(file);
    // The last `lines` lines (all when lines <= 0).
    std::size_t start = 0;
    if (lines > 0) {
      std::size_t pos = text.size();
      if (pos > 0 && text[pos - 1] == '\n') --pos;
      std::int64_t n = 0;
      while (pos > 0) {
        if (text[pos - 1] == '\n' && ++n == lines) break;
        --pos;
      }
      start = pos;
    }
    std::uintmax_t offset = text.size();
    // Only whole lines are sent; a partial last line waits for its newline.
    auto send_lines = [&](std::string_view chunk) {
      auto end = chunk.rfind('\n');
      if (end == std::string_view::npos) return std::size_t{0};
      std::string_view body = chunk.substr(0, end);
      std::size_t from = 0;
      while (from <= body.size()) {
        auto nl = body.find('\n', from);
        if (nl == std::string_view::npos) nl = body.size();
        while (!writer->wait_for_room(128, std::chrono::milliseconds(500))) {
          if (writer->closed()) return end + 1;
        }
        writer->more({{"line", std::string(body.substr(from, nl - from))}});
        from = nl + 1;
      }
      return end + 1;
    };
    std::size_t used = send_lines(std::string_view(text).substr(start));
    offset = start + used;
    if (!follow) {
      writer->last({{"end", true}});
      return;
    }
    std::string pending;
    while (!writer->closed()) {
      {
        std::lock_guard l(mutex_);
        if (stopped_) break;
      }
      std::error_code e;
      auto size = fs::file_size(file, e);
      if (!e && size < offset) offset = 0;  // truncated or replaced
      if (!e && size > offset) {
        std::ifstream in(file, std::ios::binary);
        in.seekg(static_cast<std::streamoff>(offset));
        std::string chunk(static_cast<std::size_t>(std::min<std::uintmax_t>(size - offset, 1 << 20)),
                          '\0');
        in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        chunk.resize(static_cast<std::size_t>(in.gcount()));
        offset += send_lines(chunk);
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
    }
    if (!writer->closed()) writer->last({{"end", true}});
  });
}

}  // namespace ros::functions
