# zsec-west: shared by the module's image and sysbuild CMake.
#
# zsec runs with the build's own interpreter (PYTHON_EXECUTABLE, as Zephyr's scripts do), and
# the package is imported from this checkout (the module directory is the repository), so the
# module works without `pip install` and never runs a different zsec-west than its CMake.
# Only directories are passed on the command line: the runner reads every setting from the
# build's Kconfig output itself (see zsec_west/cli/inbuild.py).

include_guard(GLOBAL)

get_filename_component(_zsec_root "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
set_property(GLOBAL PROPERTY ZSEC_WEST_ROOT "${_zsec_root}")
unset(_zsec_root)

# zsec_command(<var>): the command line that runs a step of zsec_west.cli.inbuild.
function(zsec_command var)
  get_property(root GLOBAL PROPERTY ZSEC_WEST_ROOT)
  if(NOT PYTHON_EXECUTABLE)
    message(FATAL_ERROR "zsec-west: PYTHON_EXECUTABLE is not set; the module must run inside "
                        "a Zephyr build")
  endif()
  set(${var} ${CMAKE_COMMAND} -E env PYTHONPATH=${root}
      ${PYTHON_EXECUTABLE} -m zsec_west.cli.inbuild PARENT_SCOPE)
endfunction()
