#include "functions/runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

extern char** environ;

namespace ros::functions {

std::string RunOutcome::describe() const {
  switch (kind) {
    case Kind::exited:
      return "exited with status " + std::to_string(code);
    case Kind::signaled:
      return "killed by signal " + std::to_string(code) + " (" + strsignal(code) + ")";
    case Kind::timed_out: {
      auto ms = elapsed.count();
      return "timed out after " + std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100) +
             " s (functions.timeout)";
    }
    case Kind::stopped:
      return "stopped";
    case Kind::spawn_failed:
      return error;
  }
  return "unknown outcome";
}

RunOutcome run(const RunSpec& spec, const std::function<bool()>& stop) {
  using clock = std::chrono::steady_clock;
  const auto started = clock::now();
  RunOutcome out;
  if (spec.argv.empty()) {
    out.kind = RunOutcome::Kind::spawn_failed;
    out.error = "nothing to run";
    return out;
  }
  // Everything the child needs is prepared before fork(): between fork and
  // exec only async-signal-safe calls are allowed in a threaded program.
  std::vector<char*> argv;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> env_store;
  for (char** e = environ; e && *e; ++e) env_store.emplace_back(*e);
  for (const auto& e : spec.env) env_store.push_back(e);
  std::vector<char*> envp;
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);
  const std::string cwd = spec.cwd.string();

  int in[2];
  int status_pipe[2];  // the child writes errno here if exec fails
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(status_pipe, O_CLOEXEC) != 0) {
    out.kind = RunOutcome::Kind::spawn_failed;
    out.error = std::string("cannot make a pipe: ") + std::strerror(errno);
    return out;
  }
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    for (int fd : {in[0], in[1], status_pipe[0], status_pipe[1]}) close(fd);
    out.kind = RunOutcome::Kind::spawn_failed;
    out.error = std::string("cannot fork: ") + std::strerror(e);
    return out;
  }
  if (pid == 0) {
    setpgid(0, 0);
    signal(SIGPIPE, SIG_DFL);
    dup2(in[0], 0);
    int log = spec.log_fd >= 0 ? spec.log_fd : open("/dev/null", O_WRONLY);
    dup2(log, 1);
    dup2(log, 2);
    int err = 0;
    if (chdir(cwd.c_str()) != 0) {
      err = errno;
    } else {
      int keep = status_pipe[1];
      // Leave 0-2 and the status pipe; everything else closes (the daemon's
      // sockets and databases must not leak into a function).
      for (int fd = 3; fd < keep; ++fd) close(fd);
      close_range(static_cast<unsigned>(keep) + 1, ~0U, 0);
      execve(argv[0], argv.data(), envp.data());
      err = errno;
    }
    ssize_t ignored = write(status_pipe[1], &err, sizeof err);
    (void)ignored;
    _exit(127);
  }
  setpgid(pid, pid);  // also here, so a kill of the group never misses
  close(in[0]);
  close(status_pipe[1]);
  int exec_errno = 0;
  ssize_t n = read(status_pipe[0], &exec_errno, sizeof exec_errno);
  close(status_pipe[0]);
  if (n == static_cast<ssize_t>(sizeof exec_errno)) {
    close(in[1]);
    int st = 0;
    waitpid(pid, &st, 0);
    out.kind = RunOutcome::Kind::spawn_failed;
    out.error = "cannot run '" + spec.argv[0] + "': " + std::strerror(exec_errno);
    out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - started);
    return out;
  }

  fcntl(in[1], F_SETFL, fcntl(in[1], F_GETFL) | O_NONBLOCK);
  std::size_t written = 0;
  int wfd = in[1];
  if (spec.input.empty()) {
    close(wfd);
    wfd = -1;
  }
  const auto deadline = started + spec.timeout;
  int st = 0;
  bool reaped = false;
  std::optional<RunOutcome::Kind> killed;
  while (!reaped) {
    if (wfd >= 0) {
      pollfd p{wfd, POLLOUT, 0};
      poll(&p, 1, 50);
      if (p.revents & (POLLERR | POLLHUP)) {
        close(wfd);
        wfd = -1;
      } else if (p.revents & POLLOUT) {
        ssize_t w = write(wfd, spec.input.data() + written, spec.input.size() - written);
        if (w > 0) written += static_cast<std::size_t>(w);
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == spec.input.size()) {
          close(wfd);
          wfd = -1;
        }
      }
    } else {
      usleep(20'000);
    }
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid) {
      reaped = true;
      break;
    }
    if (!killed) {
      if (clock::now() >= deadline) {
        killed = RunOutcome::Kind::timed_out;
      } else if (stop && stop()) {
        killed = RunOutcome::Kind::stopped;
      }
      if (killed) kill(-pid, SIGKILL);
    }
  }
  if (wfd >= 0) close(wfd);
  // Whatever the program left running in its group goes with it.
  kill(-pid, SIGKILL);
  out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - started);
  if (killed) {
    out.kind = *killed;
  } else if (WIFEXITED(st)) {
    out.kind = RunOutcome::Kind::exited;
    out.code = WEXITSTATUS(st);
  } else if (WIFSIGNALED(st)) {
    out.kind = RunOutcome::Kind::signaled;
    out.code = WTERMSIG(st);
  }
  return out;
}

}  // namespace ros::functions
