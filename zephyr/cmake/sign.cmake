# zsec-west signing script (CONFIG_ZSEC_SIGN). Zephyr includes it in place of cmake/mcuboot.cmake,
# in the ${ZEPHYR_BASE} directory scope, after the image's post-build commands are collected.
#
# It declares what Zephyr's own step declares: the signed files as post-build byproducts and as
# BYPRODUCT_KERNEL_SIGNED_* cache entries (sysbuild collects those), and the files `west flash`
# uses (runners.yaml is written from these properties at configure time). It adds one post-build
# command: `zsec sign` writes every variant in one run, with the parameters mcuboot.cmake would
# pass to imgtool, which zsec reads from the build (header and slot sizes, alignment, version,
# confirmed/encrypted variants, CONFIG_MCUBOOT_EXTRA_IMGTOOL_ARGS).

function(zsec_signing_tasks)
  zsec_command(zsec)
  set(output ${ZEPHYR_BINARY_DIR}/${KERNEL_NAME})

  set(variants signed)
  if(CONFIG_MCUBOOT_GENERATE_CONFIRMED_IMAGE)
    list(APPEND variants signed.confirmed)
  endif()
  if(NOT "${CONFIG_MCUBOOT_ENCRYPTION_KEY_FILE}" STREQUAL "")
    list(APPEND variants signed.encrypted)
  endif()
  set(all_variants ${variants})
  if(CONFIG_MCUBOOT_BOOTLOADER_MODE_RAM_LOAD OR CONFIG_MCUBOOT_BOOTLOADER_MODE_RAM_LOAD_WITH_REVERT)
    # RAM load: a second set of images for the other slot, as Zephyr 4.x writes them.
    foreach(variant ${variants})
      list(APPEND all_variants slot1.${variant})
    endforeach()
  endif()

  # West flash: the signed image; since Zephyr 4.1.99 the confirmed one when it is built.
  set(flash_variant signed)
  set(zephyr_version "${KERNEL_VERSION_MAJOR}.${KERNEL_VERSION_MINOR}.${KERNEL_PATCHLEVEL}")
  if(CONFIG_MCUBOOT_GENERATE_CONFIRMED_IMAGE AND zephyr_version VERSION_GREATER_EQUAL 4.1.99)
    set(flash_variant signed.confirmed)
  endif()

  set(byproducts)
  foreach(ext bin hex)
    string(TOUPPER ${ext} EXT)
    if(NOT CONFIG_BUILD_OUTPUT_${EXT})
      continue()
    endif()
    foreach(variant ${all_variants})
      list(APPEND byproducts ${output}.${variant}.${ext})
    endforeach()
    set_target_properties(runners_yaml_props_target PROPERTIES
                          ${ext}_file ${output}.${flash_variant}.${ext})
    set(BYPRODUCT_KERNEL_SIGNED_${EXT}_NAME "${output}.signed.${ext}"
        CACHE FILEPATH "Signed kernel ${ext} file" FORCE)
    if(signed.confirmed IN_LIST variants)
      set(BYPRODUCT_KERNEL_SIGNED_CONFIRMED_${EXT}_NAME "${output}.signed.confirmed.${ext}"
          CACHE FILEPATH "Signed and confirmed kernel ${ext} file" FORCE)
    endif()
    if(signed.encrypted IN_LIST variants)
      set(BYPRODUCT_KERNEL_SIGNED_ENCRYPTED_${EXT}_NAME "${output}.signed.encrypted.${ext}"
          CACHE FILEPATH "Signed and encrypted kernel ${ext} file" FORCE)
    endif()
  endforeach()
  if(NOT byproducts)
    message(FATAL_ERROR "zsec-west: cannot sign for MCUboot: neither CONFIG_BUILD_OUTPUT_BIN nor "
                        "CONFIG_BUILD_OUTPUT_HEX is set, so there is nothing to sign")
  endif()

  set_property(GLOBAL APPEND PROPERTY extra_post_build_commands
               COMMAND ${zsec} sign --image-dir ${APPLICATION_BINARY_DIR})
  set_property(GLOBAL APPEND PROPERTY extra_post_build_byproducts ${byproducts})
  set_property(GLOBAL PROPERTY ZSEC_SIGNING_SCRIPT_INCLUDED TRUE)
endfunction()

zsec_signing_tasks()
