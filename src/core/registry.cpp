// The registries' objects, one per entry type for the whole process (registry.h).
#include "enflow/registry.h"

#include <map>
#include <mutex>
#include <string>

namespace enflow::detail {

void* registry_object(const char* type_name, void* (*make)()) {
  // Function-local statics: usable from other files' static initializers.
  static std::mutex mutex;
  static auto* objects = new std::map<std::string, void*>;  // never destroyed, as the objects
  const std::lock_guard<std::mutex> lock(mutex);
  auto& slot = (*objects)[type_name];
  if (slot == nullptr) slot = make();
  return slot;
}

}  // namespace enflow::detail
