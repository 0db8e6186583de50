// FunctionService: what ros-fnd serves on fnd.sock (control_ops.hpp): the
// registry of deployed functions (registry.hpp), their code under
// <root>/functions/<name>/, their logs under <root>/logs/<name>.log, and one
// Worker per running function.
//
// Deploy: the files arrive in the request (ros-fn reads them), are written
// to functions/<name>.deploying/, `npm install` runs there when a
// package.json is among them (its output in the function's log, at most
// functions.install_timeout), then the folder replaces functions/<name>/ and
// the function is registered as running. A new function starts at the
// present: its cursors are set to each matching Realm's latest version, so
// it sees changes made after the deploy (with from_start, the whole
// history). A redeploy replaces code and regex and keeps the cursors.
//
// Names: 1-64 characters of [A-Za-z0-9_-], not starting with '-'. Deployed
// file paths are relative, without "." or ".." segments.
//
// Thread safety: every method may be called from any thread; changes of one
// function are serialised by a mutex (a deploy waits for npm install).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "config/config.hpp"
#include "control/server.hpp"
#include "functions/registry.hpp"
#include "functions/worker.hpp"
#include "storage/layout.hpp"

namespace ros::functions {

class FunctionService {
 public:
  // Opens the registry in admin.db and writes the Node runtime.
  static Result<std::unique_ptr<FunctionService>> open(const config::Config& config);
  ~FunctionService();  // stop_all()

  // Starts a worker for every function in state running.
  void start_all();
  void stop_all();

  // The ops' work. `args` as the op table declares them.
  Result<nlohmann::json> deploy(const nlohmann::json& args);
  Result<nlohmann::json> list();
  Result<nlohmann::json> show(const std::string& name);
  Result<nlohmann::json> start(const std::string& name);
  Result<nlohmann::json> stop(const std::string& name);
  Result<nlohmann::json> remove(const std::string& name);
  // Streams the last `lines` lines of the log, then (follow) what is added,
  // until the follower leaves or the function is removed.
  void logs(const std::string& name, std::int64_t lines, bool follow,
            std::shared_ptr<control::Writer> writer);

  // invalid_argument naming the rule, for a bad function name.
  static Result<void> check_name(const std::string& name);

 private:
  FunctionService(const config::Config& config, std::unique_ptr<Registry> registry);
  WorkerOptions worker_options(const std::string& name) const;
  nlohmann::json describe(const FunctionRecord& record);
  // REQUIRES: mutex_ held.
  void start_worker(const FunctionRecord& record);
  void stop_worker(const std::string& name);

  // Constant after construction.
  const storage::Layout layout_;
  const config::FunctionsConfig options_;
  const std::filesystem::path syncd_socket_;
  const std::filesystem::path runtime_js_;
  std::unique_ptr<Registry> registry_;

  std::mutex mutex_;
  // Guarded by mutex_:
  std::map<std::string, std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> log_followers_;
  bool stopped_ = false;
};

}  // namespace ros::functions
