# Steps the stand-in image build (ZephyrConfig.cmake) and the stand-in sysbuild share, as Zephyr's
# cmake/modules/{python,zephyr_module,kconfig}.cmake serve both.

# python.cmake: the interpreter `west build` runs under (WEST_PYTHON), else python3.
macro(standin_python)
  if(DEFINED WEST_PYTHON)
    set(PYTHON_EXECUTABLE ${WEST_PYTHON})
  else()
    find_program(PYTHON_EXECUTABLE NAMES python3 python REQUIRED)
  endif()
endmacro()

# zephyr_module.cmake: modules from the workspace, ZEPHYR_MODULES and ZEPHYR_EXTRA_MODULES /
# EXTRA_ZEPHYR_MODULES (CMake variable or environment); defines the ZEPHYR_<NAME>_* and
# SYSBUILD_<NAME>_* variables and the module name lists in the caller's scope.
macro(standin_modules)
  set(KCONFIG_BINARY_DIR ${CMAKE_BINARY_DIR}/Kconfig)
  set(extra_modules ${ZEPHYR_EXTRA_MODULES} ${EXTRA_ZEPHYR_MODULES} $ENV{ZEPHYR_EXTRA_MODULES}
      $ENV{EXTRA_ZEPHYR_MODULES})
  execute_process(
    COMMAND ${PYTHON_EXECUTABLE} ${ZEPHYR_BASE}/scripts/zephyr_module.py
            --zephyr-base ${ZEPHYR_BASE} "--modules=${ZEPHYR_MODULES}" "--extra-modules=${extra_modules}"
            --schema ${ZEPHYR_BASE}/scripts/module-schema.yml
            --cmake-out ${CMAKE_BINARY_DIR}/zephyr_modules.cmake
            --kconfig-out ${KCONFIG_BINARY_DIR}/Kconfig.modules
            --sysbuild-kconfig-out ${KCONFIG_BINARY_DIR}/Kconfig.sysbuild.modules
            --zephyr-modules-txt ${CMAKE_BINARY_DIR}/zephyr_modules.txt
            --sysbuild-modules-txt ${CMAKE_BINARY_DIR}/sysbuild_modules.txt
    RESULT_VARIABLE modules_result)
  if(modules_result)
    message(FATAL_ERROR "zephyr_module.py failed")
  endif()
  include(${CMAKE_BINARY_DIR}/zephyr_modules.cmake)
endmacro()

# kconfig.cmake: <prefix>* options given with -D become one more fragment; kconfig.py merges
# the fragments in order into <dotconfig>; import_kconfig() makes its symbols CMake variables.
function(standin_kconfig root dotconfig prefix)
  set(cli_conf ${dotconfig}.cli)
  get_cmake_property(cache_vars CACHE_VARIABLES)
  set(cli_lines "")
  foreach(var ${cache_vars})
    if(var MATCHES "^${prefix}")
      if("${${var}}" MATCHES "^(y|n|[0-9]+|0x[0-9a-fA-F]+)$")
        string(APPEND cli_lines "${var}=${${var}}\n")
      else()
        string(REPLACE "\"" "\\\"" escaped "${${var}}")
        string(APPEND cli_lines "${var}=\"${escaped}\"\n")
      endif()
    endif()
  endforeach()
  file(WRITE ${cli_conf} "${cli_lines}")
  list(INSERT ARGN 1 ${cli_conf})  # after the first fragment (prj.conf / sysbuild.conf)
  execute_process(
    COMMAND ${CMAKE_COMMAND} -E env KCONFIG_BINARY_DIR=${KCONFIG_BINARY_DIR}
            ${PYTHON_EXECUTABLE} ${ZEPHYR_BASE}/scripts/kconfig.py ${root} ${dotconfig} ${prefix} ${ARGN}
    RESULT_VARIABLE result)
  if(result)
    message(FATAL_ERROR "command failed with return code: ${result}")
  endif()
  import_kconfig(${prefix} ${dotconfig})
  foreach(line ${imported})
    set(${line} "${${line}}" PARENT_SCOPE)
  endforeach()
endfunction()

# import_kconfig() of cmake/modules/extensions.cmake. Like Zephyr's, it reads .config with
# file(STRINGS), so a ';' in a string value splits it: zsec never reads strings from here.
function(import_kconfig prefix file)
  file(STRINGS ${file} lines REGEX "^${prefix}")
  set(names)
  foreach(line ${lines})
    if(line MATCHES "^(${prefix}[A-Za-z0-9_]+)=\"(.*)\"$")
    elseif(NOT line MATCHES "^(${prefix}[A-Za-z0-9_]+)=(.*)$")
      continue()
    endif()
    set(${CMAKE_MATCH_1} "${CMAKE_MATCH_2}" PARENT_SCOPE)
    list(APPEND names ${CMAKE_MATCH_1})
  endforeach()
  set(imported ${names} PARENT_SCOPE)
endfunction()
