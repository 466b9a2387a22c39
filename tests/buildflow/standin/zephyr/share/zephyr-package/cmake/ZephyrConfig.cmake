# Stand-in for find_package(Zephyr): share/zephyr-package/cmake/ZephyrConfig.cmake and the
# cmake/modules/zephyr_default.cmake sequence it runs, reduced to the steps the zsec-west module
# depends on, in Zephyr's order: python.cmake, version.cmake, west.cmake, zephyr_module.cmake,
# kconfig.cmake, kernel.cmake (which adds ${ZEPHYR_BASE} as a subdirectory: see ../../../CMakeLists.txt).
# Left out: boards, devicetree compilation (a board file is copied), toolchains, compilation.

get_filename_component(ZEPHYR_BASE ${CMAKE_CURRENT_LIST_DIR}/../../.. ABSOLUTE)
set(ZEPHYR_BASE ${ZEPHYR_BASE} CACHE PATH "Zephyr base")
set(Zephyr_FOUND TRUE)
set(APPLICATION_SOURCE_DIR ${CMAKE_CURRENT_SOURCE_DIR} CACHE PATH "Application Source Directory")
set(APPLICATION_BINARY_DIR ${CMAKE_CURRENT_BINARY_DIR} CACHE PATH "Application Binary Directory")
set(APPLICATION_CONFIG_DIR ${APPLICATION_SOURCE_DIR} CACHE PATH "Application configuration directory")
# zsec (like west) recognises a Zephyr build by this cache entry.
set(ZEPHYR_TOOLCHAIN_VARIANT standin CACHE STRING "Zephyr toolchain variant")
set(BOARD standin_nrf52840 CACHE STRING "Board")
set(SYSBUILD ${SYSBUILD} CACHE BOOL "Part of a sysbuild build")

include(${ZEPHYR_BASE}/cmake/modules/standin.cmake)
standin_python()

# version.cmake: KERNEL_VERSION_* from ${ZEPHYR_BASE}/VERSION.
file(STRINGS ${ZEPHYR_BASE}/VERSION version_lines)
foreach(line ${version_lines})
  if(line MATCHES "^([A-Z_]+) *= *(.*)$")
    set(ver_${CMAKE_MATCH_1} "${CMAKE_MATCH_2}")
  endif()
endforeach()
set(KERNEL_VERSION_MAJOR ${ver_VERSION_MAJOR})
set(KERNEL_VERSION_MINOR ${ver_VERSION_MINOR})
set(KERNEL_PATCHLEVEL ${ver_PATCHLEVEL})
set(KERNEL_VERSION_STRING "${KERNEL_VERSION_MAJOR}.${KERNEL_VERSION_MINOR}.${KERNEL_PATCHLEVEL}")

# west.cmake: WEST and WEST_TOPDIR when the tree is in a west workspace.
execute_process(COMMAND ${PYTHON_EXECUTABLE} -m west topdir WORKING_DIRECTORY ${ZEPHYR_BASE}
                OUTPUT_VARIABLE topdir RESULT_VARIABLE west_result ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
set(WEST ${PYTHON_EXECUTABLE} -m west)
if(west_result EQUAL 0)
  set(WEST_TOPDIR ${topdir})
endif()

# zephyr_module.cmake, then kconfig.cmake with the fragments prj.conf, the -DCONFIG_ options and
# sysbuild's FORCED_CONF_FILE, in that order.
standin_modules()
set(DOTCONFIG ${CMAKE_BINARY_DIR}/zephyr/.config)
standin_kconfig(${ZEPHYR_BASE}/Kconfig ${DOTCONFIG} CONFIG_ ${APPLICATION_SOURCE_DIR}/prj.conf ${FORCED_CONF_FILE})
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${APPLICATION_SOURCE_DIR}/prj.conf)

# Devicetree: the board's devicetree as zephyr/zephyr.dts (the image runs from its code partition).
if(CONFIG_MCUBOOT)
  set(CODE_PARTITION boot_partition)
else()
  set(CODE_PARTITION slot0_partition)
endif()
configure_file(${ZEPHYR_BASE}/boards/standin_nrf52840.dts ${CMAKE_BINARY_DIR}/zephyr/zephyr.dts @ONLY)

# kernel.cmake: the targets modules and signing scripts set properties on, then ${ZEPHYR_BASE}.
add_custom_target(zephyr_property_target)
add_custom_target(runners_yaml_props_target)
add_subdirectory(${ZEPHYR_BASE} ${CMAKE_BINARY_DIR}/zephyr)
