// The message of the exception a call throws, for tests that assert what an error says.
#pragma once

#include <exception>
#include <functional>
#include <string>

namespace enflow::testing {

/// The what() of the E that f throws, or "" if it throws nothing (other exceptions escape).
template <class E = std::exception>
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "";
}

}  // namespace enflow::testing
