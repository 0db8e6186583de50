// Runner: the "run" and "drain" phases of a daemon's main (style.md 9).
//
// run() starts the io_context on `threads` threads, tells systemd READY=1,
// and serves until SIGTERM or SIGINT. Then it calls the stop callback (close
// listeners, end sessions), waits until the idle check says open work is done
// (checked every 50 ms) but at most `drain`, stops the io_context and joins
// the threads. A second SIGTERM/SIGINT stops at once.
// SIGHUP calls the reload callback (by default: reopen the log file).
//
// Signal handling runs in the io_context (asio::signal_set): callbacks are
// ordinary code, not signal handlers. The signals are caught from the moment
// the Runner is constructed, so a daemon makes its Runner before it opens
// anything: a SIGTERM during start-up then stops it cleanly once run() starts,
// instead of killing it half-way.
#pragma once

#include <chrono>
#include <functional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

namespace ros::daemon {

class Runner {
 public:
  Runner(boost::asio::io_context& io, unsigned threads);

  // Called once, in the io_context, when the first SIGTERM/SIGINT arrives.
  void on_stop(std::function<void()> callback) { on_stop_ = std::move(callback); }
  // After stopping: true when no connection is open any more. Default: always.
  void idle_check(std::function<bool()> check) { idle_ = std::move(check); }
  // Called in the io_context for every SIGHUP, after the log file is reopened.
  void on_reload(std::function<void()> callback) { on_reload_ = std::move(callback); }

  // Blocks until the daemon has stopped. Returns the exit status (0).
  int run(std::chrono::milliseconds drain = std::chrono::seconds(5));

  // Asks run() to stop as if SIGTERM had arrived; any thread.
  void request_stop();

 private:
  boost::asio::io_context& io_;
  const unsigned threads_;
  boost::asio::signal_set signals_;
  std::function<void()> on_stop_;
  std::function<void()> on_reload_;
  std::function<bool()> idle_;
  std::function<void()> stop_now_;  // set by run(); posts the stop sequence
};

}  // namespace ros::daemon
