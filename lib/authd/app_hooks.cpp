#include "authd/app_hooks.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "log/logger.hpp"

namespace ros::authd {
namespace {

Error hook_error(const std::filesystem::path& program, const std::string& why) {
  return make_error(Errc::unavailable, "hook '" + program.string() + "' " + why);
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

Result<void> run_hook(const std::filesystem::path& program, const nlohmann::json& input,
                      std::chrono::milliseconds timeout) {
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return hook_error(program, "cannot start: no pipe");
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    return hook_error(program, "cannot start: no pipe");
  }
  const std::string path = program.string();
  pid_t pid = ::fork();
  if (pid < 0) {
    for (int fd : {in[0], in[1], out[0], out[1]}) ::close(fd);
    return hook_error(program, std::string("cannot start: ") + std::strerror(errno));
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(out[1], 2);
    char* argv[] = {const_cast<char*>(path.c_str()), nullptr};
    char env_path[] = "PATH=/usr/local/bin:/usr/bin:/bin";
    char* envp[] = {env_path, nullptr};
    ::execve(path.c_str(), argv, envp);
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  int write_fd = in[1], read_fd = out[0];
  std::string text = input.dump() + "\n";
  std::size_t written = 0;
  std::string output;
  ::fcntl(write_fd, F_SETFL, O_NONBLOCK);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timed_out = false;
  while (read_fd >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd fds[2] = {{read_fd, POLLIN, 0}, {write_fd, POLLOUT, 0}};
    int n = ::poll(fds, write_fd >= 0 ? 2 : 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    if (write_fd >= 0 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t w = ::write(write_fd, text.data() + written, text.size() - written);
      if (w > 0) written += static_cast<std::size_t>(w);
      if (w < 0 && errno != EAGAIN) written = text.size();  // the program closed its input
      if (written >= text.size()) close_fd(write_fd);
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      char buffer[1024];
      ssize_t r = ::read(read_fd, buffer, sizeof buffer);
      if (r > 0) {
        if (output.size() < 4096) output.append(buffer, static_cast<std::size_t>(r));
      } else if (r == 0 || errno != EINTR) {
        close_fd(read_fd);
      }
    }
  }
  close_fd(write_fd);
  close_fd(read_fd);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (output.size() > 4096) output.resize(4096);
  if (!output.empty()) log::info("hook '", path, "' said: ", output);
  if (timed_out) {
    return hook_error(program, "was killed after " + std::to_string(timeout.count() / 1000) + " s");
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
    return hook_error(program, "could not be run (missing or not executable?)");
  }
  if (WIFEXITED(status)) {
    return hook_error(program, "exited with status " + std::to_string(WEXITSTATUS(status)));
  }
  return hook_error(program, "was killed by signal " + std::to_string(WTERMSIG(status)));
}

}  // namespace ros::authd
