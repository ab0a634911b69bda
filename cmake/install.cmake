# What `cmake --install` puts under the prefix: the teapot command, the public headers,
# libteapot, a CMake package (find_package(teapot CONFIG) -> teapot::teapot) and teapot.pc.
#
# The modules stay one static library each inside the build, where their private include roots
# keep the layering; an installed program links one library. libteapot is made of the objects
# the modules have already compiled (nothing is compiled twice), so that the installed package
# names one archive and its outside dependencies, and none of the module targets, whose names,
# order and private roots are the build's business, not an embedding program's.

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# Every module library that `target` links, directly or not, and the libraries from outside
# the project they link (Threads::Threads, crypt, ...), in the order first met.
function(teapot_link_closure target out_modules out_outside)
  set(todo ${target})
  set(seen "")
  set(modules "")
  set(outside "")
  while(todo)
    list(POP_FRONT todo t)
    string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" t "${t}")
    if(t IN_LIST seen)
      continue()
    endif()
    list(APPEND seen ${t})
    if(NOT t MATCHES "^teapot_")
      list(APPEND outside ${t})
      continue()
    endif()
    get_target_property(type ${t} TYPE)
    if(type STREQUAL "STATIC_LIBRARY")
      list(APPEND modules ${t})
    endif()
    get_target_property(deps ${t} INTERFACE_LINK_LIBRARIES)
    if(deps)
      list(APPEND todo ${deps})
    endif()
  endwhile()
  set(${out_modules} ${modules} PARENT_SCOPE)
  set(${out_outside} ${outside} PARENT_SCOPE)
endfunction()

# The outside libraries' imported targets belong to the folders that found them; libteapot links
# them from the top folder, and teapot-config.cmake finds them again the same way.
find_package(EXPAT REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(OpenSSL 3.0 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(TEAPOT_CODECS REQUIRED IMPORTED_TARGET zlib libbrotlienc libzstd)
pkg_check_modules(NGHTTP2 REQUIRED IMPORTED_TARGET libnghttp2)

teapot_link_closure(teapot_lib teapot_modules teapot_outside_libraries)
set(teapot_objects "")
foreach(m ${teapot_modules})
  list(APPEND teapot_objects $<TARGET_OBJECTS:${m}>)
endforeach()

set(teapot_is_archive YES)
if(TEAPOT_SHARED_LIBRARY)
  set(teapot_is_archive NO)
  add_library(teapot_library SHARED ${teapot_objects})
  target_link_libraries(teapot_library PRIVATE ${teapot_outside_libraries})
  # 0.x: every minor version may change the ABI.
  set_target_properties(teapot_library PROPERTIES
    VERSION ${PROJECT_VERSION}
    SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
else()
  add_library(teapot_library STATIC ${teapot_objects})
  target_link_libraries(teapot_library INTERFACE ${teapot_outside_libraries})
endif()
set_target_properties(teapot_library PROPERTIES
  OUTPUT_NAME teapot
  EXPORT_NAME teapot
  LINKER_LANGUAGE CXX
  ARCHIVE_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/lib
  LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/lib)
# The public headers, and nothing of src/ or of the build's layer roots.
target_include_directories(teapot_library INTERFACE
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_compile_features(teapot_library INTERFACE cxx_std_20)
# A sanitized library needs the sanitizers' runtimes in the program that links it.
target_link_options(teapot_library INTERFACE ${TEAPOT_SANITIZER_LINK_FLAGS})

install(TARGETS teapot_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS teapot_library EXPORT teapot_targets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/teapot DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(teapot_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/teapot)
install(EXPORT teapot_targets NAMESPACE teapot:: FILE teapot-targets.cmake
  DESTINATION ${teapot_cmake_dir})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/teapot-config.cmake.in
  ${PROJECT_BINARY_DIR}/teapot-config.cmake INSTALL_DESTINATION ${teapot_cmake_dir})
# 0.x: a program written for 0.1 may not build with 0.2.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/teapot-config-version.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/teapot-config.cmake
  ${PROJECT_BINARY_DIR}/teapot-config-version.cmake DESTINATION ${teapot_cmake_dir})

# teapot.pc finds the prefix from its own place (${pcfiledir}), so that the tree works wherever
# `cmake --install --prefix` puts it. For the archive, the dependencies are public: a program
# that links libteapot.a links them too; libteapot.so carries them itself.
file(RELATIVE_PATH teapot_pc_to_prefix /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
string(REGEX REPLACE "/$" "" teapot_pc_to_prefix "${teapot_pc_to_prefix}")
set(teapot_pc_requires zlib libbrotlienc libzstd expat sqlite3 libcrypt libssl libcrypto libnghttp2)
list(JOIN teapot_pc_requires " " teapot_pc_requires)
if(TEAPOT_SHARED_LIBRARY)
  set(teapot_pc_requires_field "Requires.private")
  set(teapot_pc_libs_private "Libs.private: -pthread")
  set(teapot_pc_libs "")
else()
  set(teapot_pc_requires_field "Requires")
  set(teapot_pc_libs_private "")
  set(teapot_pc_libs "-pthread")
endif()
list(JOIN TEAPOT_SANITIZER_LINK_FLAGS " " teapot_pc_sanitizer)
string(STRIP "${teapot_pc_libs} ${teapot_pc_sanitizer}" teapot_pc_libs)
if(teapot_pc_libs)
  string(PREPEND teapot_pc_libs " ")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/teapot.pc.in ${PROJECT_BINARY_DIR}/teapot.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/teapot.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# The man pages, and the systemd units (deploy/systemd/) where systemd looks for units under
# the prefix (/usr/local/lib/systemd/system for the default one).
install(FILES ${PROJECT_SOURCE_DIR}/man/teapot.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${PROJECT_SOURCE_DIR}/man/teapot.toml.5 DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
set(TEAPOT_SYSTEMD_UNIT_DIR "lib/systemd/system" CACHE STRING
  "Where cmake --install puts the systemd units: under the prefix, unless absolute")
install(FILES ${PROJECT_SOURCE_DIR}/deploy/systemd/teapot.socket
  ${PROJECT_SOURCE_DIR}/deploy/systemd/teapot-https.socket
  DESTINATION ${TEAPOT_SYSTEMD_UNIT_DIR})
install(CODE "
  set(teapot_service_template \"${PROJECT_SOURCE_DIR}/deploy/systemd/teapot.service\")
  set(teapot_service_out \"${PROJECT_BINARY_DIR}/systemd/teapot.service\")
  set(teapot_bindir \"${CMAKE_INSTALL_BINDIR}\")
  set(teapot_unit_dir \"${TEAPOT_SYSTEMD_UNIT_DIR}\")
  include(\"${PROJECT_SOURCE_DIR}/cmake/install_service.cmake\")")
