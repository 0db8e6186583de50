// Password hashes for the admin store: PBKDF2-HMAC-SHA256 with a 16-byte
// random salt per hash, stored as
//
//   pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>
//
// (standard base64, padded; the hash is 32 bytes). The iteration count is part
// of each stored string, so raising kPbkdf2Iterations later leaves existing
// hashes valid.
//
// Comparison is constant-time (CRYPTO_memcmp). A stored string that cannot be
// parsed, or whose iteration count is outside [1, kMaxPbkdf2Iterations], never
// matches; it is not an error.
//
// Thread safety: every function may be called from any thread. The test hook
// is an atomic; set it before starting threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace ros::admin {

// Measured on the development machine (2 shared cores, OpenSSL 3, g++ 12
// RelWithDebInfo): see kPbkdf2Iterations' definition in password.cpp for the
// numbers. Chosen so that one hash takes about 50 ms.
extern const int kPbkdf2Iterations;

// Refused when read back from a stored hash (a corrupted or hostile row must
// not make one login cost minutes).
inline constexpr int kMaxPbkdf2Iterations = 10'000'000;

// A new stored hash of `password` with a fresh salt and the current iteration
// count. Errc::internal only if the system cannot produce random bytes.
Result<std::string> hash_password(std::string_view password);

// True when `password` matches `stored`. Takes as long as hashing with the
// stored iteration count.
bool verify_password(std::string_view password, std::string_view stored);

// Spends the time of one verify_password at the current iteration count and
// returns nothing: used when the user is unknown, so that an unknown user and
// a wrong password cannot be told apart by timing.
void burn_password_check(std::string_view password);

// The iteration count used by hash_password (kPbkdf2Iterations unless a test
// lowered it).
int pbkdf2_iterations();

// How many PBKDF2 derivations this process has run (hash, verify, burn), for
// /metrics: each costs about 50 ms of CPU, so this is where login and
// registration CPU goes.
std::uint64_t password_work_count();

// TEST_ hook: make hash_password use `iterations` (>= 1) from now on. Tests
// only; production code never calls it.
void set_pbkdf2_iterations_for_testing(int iterations);

}  // namespace ros::admin
