# Stand-in for share/sysbuild/cmake/modules/sysbuild_extensions.cmake: the functions the zsec-west module calls (set_config_bool,
# set_config_string, sysbuild_get) behave as Zephyr's, including how .config.sysbuild is written.

include(ExternalProject)

function(set_config_bool image setting value)
  if(${value})
    set_property(TARGET ${image} APPEND_STRING PROPERTY CONFIG "${setting}=y\n")
  else()
    set_property(TARGET ${image} APPEND_STRING PROPERTY CONFIG "${setting}=n\n")
  endif()
endfunction()

function(set_config_string image setting value)
  set_property(TARGET ${image} APPEND_STRING PROPERTY CONFIG "${setting}=\"${value}\"\n")
endfunction()

function(ExternalZephyrProject_Add)
  cmake_parse_arguments(ZBUILD "" "APPLICATION;SOURCE_DIR;APP_TYPE" "" ${ARGN})
  ExternalProject_Add(${ZBUILD_APPLICATION}
    SOURCE_DIR ${ZBUILD_SOURCE_DIR}
    BINARY_DIR ${CMAKE_BINARY_DIR}/${ZBUILD_APPLICATION}
    CONFIGURE_COMMAND ""
    BUILD_COMMAND ${CMAKE_COMMAND} --build .
    INSTALL_COMMAND ""
    BUILD_ALWAYS True
    USES_TERMINAL_BUILD True)
  set_property(TARGET ${ZBUILD_APPLICATION} PROPERTY APP_TYPE ${ZBUILD_APP_TYPE})
  set_property(TARGET ${ZBUILD_APPLICATION} PROPERTY CONFIG "# sysbuild controlled configuration settings\n")
endfunction()

# image_configurations/MAIN_image_default.cmake and BOOTLOADER_image_default.cmake, in part.
function(zephyr_image_defaults image)
  get_property(type TARGET ${image} PROPERTY APP_TYPE)
  if(type STREQUAL "MAIN")
    set_config_bool(${image} CONFIG_BOOTLOADER_MCUBOOT "${SB_CONFIG_BOOTLOADER_MCUBOOT}")
    set_config_string(${image} CONFIG_MCUBOOT_SIGNATURE_KEY_FILE "${SB_CONFIG_BOOT_SIGNATURE_KEY_FILE}")
  elseif(type STREQUAL "BOOTLOADER")
    set_config_string(${image} CONFIG_BOOT_SIGNATURE_KEY_FILE "${SB_CONFIG_BOOT_SIGNATURE_KEY_FILE}")
    foreach(kind NONE RSA ECDSA_P256 ED25519)
      set_config_bool(${image} CONFIG_BOOT_SIGNATURE_TYPE_${kind} "${SB_CONFIG_BOOT_SIGNATURE_TYPE_${kind}}")
    endforeach()
  endif()
endfunction()

function(ExternalZephyrProject_Cmake)
  cmake_parse_arguments(ZCMAKE "" "APPLICATION" "" ${ARGN})
  set(image ${ZCMAKE_APPLICATION})
  set(binary_dir ${CMAKE_BINARY_DIR}/${image})
  ExternalProject_Get_Property(${image} SOURCE_DIR)
  zephyr_image_defaults(${image})
  # As sysbuild writes it: string(CONFIGURE), then an unquoted file(WRITE) (a ';' is lost).
  set(dotconfigsysbuild ${binary_dir}/zephyr/.config.sysbuild)
  get_target_property(config_content ${image} CONFIG)
  string(CONFIGURE "${config_content}" config_content)
  file(WRITE ${dotconfigsysbuild} ${config_content})
  # Images read the module lists from the sysbuild cache (zephyr_get(... SYSBUILD)); the
  # stand-in passes them on the command line instead of writing <image>_sysbuild_cache.txt.
  set(module_args)
  foreach(var ZEPHYR_MODULES ZEPHYR_EXTRA_MODULES EXTRA_ZEPHYR_MODULES)
    if(DEFINED ${var})
      list(APPEND module_args "-D${var}=${${var}}")
    endif()
  endforeach()
  execute_process(
    COMMAND ${CMAKE_COMMAND} -G${CMAKE_GENERATOR} -DCMAKE_MAKE_PROGRAM=${CMAKE_MAKE_PROGRAM}
            -DSYSBUILD:BOOL=True -DWEST_PYTHON=${PYTHON_EXECUTABLE} ${module_args}
            -DFORCED_CONF_FILE:FILEPATH=${dotconfigsysbuild} -B${binary_dir} -S${SOURCE_DIR}
    RESULT_VARIABLE result WORKING_DIRECTORY ${binary_dir})
  if(result)
    message(FATAL_ERROR "CMake configure failed for Zephyr project: ${image}\nLocation: ${SOURCE_DIR}")
  endif()
  # load_cache(): the image's cache entries as properties of <image>_cache; BYPRODUCT_* entries
  # become byproducts of <image>_extra_byproducts.
  add_custom_target(${image}_cache)
  file(STRINGS ${binary_dir}/CMakeCache.txt cache_lines REGEX "^[A-Za-z_][^:]*:[A-Z]+=")
  set(byproducts)
  foreach(line ${cache_lines})
    if(line MATCHES "^([^:]+):([A-Z]+)=(.*)$")
      set(name ${CMAKE_MATCH_1})
      set(value "${CMAKE_MATCH_3}")
      set_property(TARGET ${image}_cache PROPERTY ${name} "${value}")
      if(name MATCHES "^BYPRODUCT_")
        list(APPEND byproducts ${value})
      endif()
    endif()
  endforeach()
  add_custom_target(${image}_extra_byproducts COMMAND ${CMAKE_COMMAND} -E true
                    BYPRODUCTS ${byproducts} DEPENDS ${image})
endfunction()

function(sysbuild_get variable)
  cmake_parse_arguments(GET_VAR "CACHE;KCONFIG" "IMAGE;VAR" "" ${ARGN})
  if(NOT DEFINED GET_VAR_VAR)
    set(GET_VAR_VAR ${variable})
  endif()
  get_property(value TARGET ${GET_VAR_IMAGE}_cache PROPERTY ${GET_VAR_VAR})
  set(${variable} "${value}" PARENT_SCOPE)
endfunction()

function(sysbuild_module_call)
  set(options "PRE_CMAKE;POST_CMAKE;PRE_IMAGE_CMAKE;POST_IMAGE_CMAKE;PRE_DOMAINS;POST_DOMAINS")
  cmake_parse_arguments(SMC "${options}" "" "MODULES;IMAGES;IMAGE" ${ARGN})
  set(image_arg)
  if(DEFINED SMC_IMAGE)
    set(image_arg IMAGE ${SMC_IMAGE})
  endif()
  foreach(call ${options})
    if(SMC_${call})
      foreach(module ${SMC_MODULES})
        if(COMMAND ${module}_${call})
          cmake_language(CALL ${module}_${call} IMAGES ${SMC_IMAGES} ${image_arg})
        endif()
      endforeach()
    endif()
  endforeach()
endfunction()
