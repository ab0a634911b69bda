# Run by `cmake --install` (cmake/install.cmake sets the teapot_* variables): installs
# teapot.service with ExecStart and ExecStartPre naming the command this install puts in place.
# The prefix is known only now, as `cmake --install --prefix` may change it after configuring;
# CMAKE_INSTALL_PREFIX is this install's. deploy/systemd/teapot.service names
# /usr/local/bin/teapot, the default install's, so that it also serves as it is.
foreach(dir bindir unit_dir)
  if(NOT IS_ABSOLUTE "${teapot_${dir}}")
    set(teapot_${dir} "${CMAKE_INSTALL_PREFIX}/${teapot_${dir}}")
  endif()
endforeach()
set(teapot_default_command /usr/local/bin/teapot)
file(READ "${teapot_service_template}" unit)
string(FIND "${unit}" "${teapot_default_command}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${teapot_service_template} does not name ${teapot_default_command}")
endif()
string(REPLACE "${teapot_default_command}" "${teapot_bindir}/teapot" unit "${unit}")
file(WRITE "${teapot_service_out}" "${unit}")
# file(INSTALL) adds DESTDIR and records the file in install_manifest.txt, as install() does.
file(INSTALL DESTINATION "${teapot_unit_dir}" TYPE FILE FILES "${teapot_service_out}")
