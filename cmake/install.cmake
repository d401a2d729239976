# `cmake --install build [--prefix DIR]`: the public headers, libenflow.so, the enflow binary
# and a CMake package, so that another project can
#   find_package(enflow REQUIRED)
#   target_link_libraries(app PRIVATE enflow::enflow)
# (examples/ is such a project; tests/examples_test.sh builds it against an install).
include(CMakePackageConfigHelpers)
set(ENFLOW_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/enflow)

install(TARGETS enflow_core EXPORT enflowTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS enflow RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/enflow DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")
install(FILES ${PROJECT_BINARY_DIR}/include/enflow/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/enflow)
install(EXPORT enflowTargets NAMESPACE enflow:: DESTINATION ${ENFLOW_CMAKE_DIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/enflowConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/enflowConfig.cmake
                              INSTALL_DESTINATION ${ENFLOW_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/enflowConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/enflowConfig.cmake ${PROJECT_BINARY_DIR}/enflowConfigVersion.cmake
        DESTINATION ${ENFLOW_CMAKE_DIR})
