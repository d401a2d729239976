#include <gtest/gtest.h>

#include "enflow/runtime.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  enflow::init_threads();
  return RUN_ALL_TESTS();
}
