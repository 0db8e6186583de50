#include "daemon/runner.hpp"

#include <csignal>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/notify.hpp"
#include "log/logger.hpp"

namespace ros::daemon {

namespace asio = boost::asio;

Runner::Runner(asio::io_context& io, unsigned threads)
    : io_(io), threads_(threads ? threads : 1), signals_(io, SIGINT, SIGTERM, SIGHUP) {}

void Runner::request_stop() {
  asio::post(io_, [this] {
    if (stop_now_) stop_now_();
  });
}

int Runner::run(std::chrono::milliseconds drain) {
  auto work = asio::make_work_guard(io_);
  auto& signals = signals_;
  asio::steady_timer poll_timer(io_);
  bool stopping = false;
  const auto started_stopping = std::make_shared<std::chrono::steady_clock::time_point>();

  std::function<void()> finish = [&] {
    boost::system::error_code ignored;
    signals.cancel(ignored);
    poll_timer.cancel();
    io_.stop();
  };
  std::function<void(const boost::system::error_code&)> poll =
      [&](const boost::system::error_code& ec) {
        if (ec) return;
        if (!idle_ || idle_()) return finish();
        if (std::chrono::steady_clock::now() - *started_stopping >= drain) {
          log::warn("open work did not finish in ", drain.count(), " ms; stopping anyway");
          return finish();
        }
        poll_timer.expires_after(std::chrono::milliseconds(50));
        poll_timer.async_wait(poll);
      };

  std::function<void()> begin_stop = [&] {
    if (stopping) {
      log::warn("second stop request: stopping at once");
      return finish();
    }
    stopping = true;
    notify("STOPPING=1");
    log::info("stopping (waiting up to ", drain.count(), " ms for open work)");
    if (on_stop_) on_stop_();
    work.reset();
    *started_stopping = std::chrono::steady_clock::now();
    poll({});
  };
  stop_now_ = begin_stop;

  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        if (signal == SIGHUP) {
          auto reopened = log::logger().reopen();
          if (!reopened) log::error(reopened.error().message);
          log::info("SIGHUP: log reopened");
          if (on_reload_) on_reload_();
        } else {
          begin_stop();
        }
        signals.async_wait(on_signal);
      };
  signals.async_wait(on_signal);

  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads_; ++i) pool.emplace_back([this] { io_.run(); });
  notify("READY=1");
  io_.run();
  for (auto& t : pool) t.join();
  stop_now_ = nullptr;
  return 0;
}

}  // namespace ros::daemon
