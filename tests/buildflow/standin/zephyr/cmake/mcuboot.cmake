# Stand-in for Zephyr's cmake/mcuboot.cmake in its 4.1.99 form (imgtool called directly), for the
# default swap mode: what `west build` does without the zsec-west module. Devicetree values come
# from the stand-in board (slot1_partition size, flash write-block-size) instead of dt_*() calls.
# Left out: overwrite-only and RAM-load modes, unsigned images, relative key paths.

function(zephyr_runner_file type path)
  set_target_properties(runners_yaml_props_target PROPERTIES "${type}_file" "${path}")
endfunction()

function(zephyr_mcuboot_tasks)
  set(keyfile "${CONFIG_MCUBOOT_SIGNATURE_KEY_FILE}")
  set(keyfile_enc "${CONFIG_MCUBOOT_ENCRYPTION_KEY_FILE}")
  if("${keyfile}" STREQUAL "")
    message(WARNING "Neither CONFIG_MCUBOOT_GENERATE_UNSIGNED_IMAGE or "
                    "CONFIG_MCUBOOT_SIGNATURE_KEY_FILE are set, the generated build will not be "
                    "bootable by MCUboot unless it is signed manually/externally.")
    return()
  endif()
  set(imgtool_sign ${PYTHON_EXECUTABLE} ${IMGTOOL} sign --version ${CONFIG_MCUBOOT_IMGTOOL_SIGN_VERSION}
      --header-size ${CONFIG_ROM_START_OFFSET} --slot-size 0x76000)
  set(imgtool_args --align 4 --key "${keyfile}")
  set(output ${ZEPHYR_BINARY_DIR}/${KERNEL_NAME})
  set(byproducts)
  foreach(ext bin hex)
    string(TOUPPER ${ext} EXT)
    if(NOT CONFIG_BUILD_OUTPUT_${EXT})
      continue()
    endif()
    list(APPEND byproducts ${output}.signed.${ext})
    zephyr_runner_file(${ext} ${output}.signed.${ext})
    set(BYPRODUCT_KERNEL_SIGNED_${EXT}_NAME "${output}.signed.${ext}" CACHE FILEPATH "Signed kernel ${ext} file" FORCE)
    set_property(GLOBAL APPEND PROPERTY extra_post_build_commands COMMAND
                 ${imgtool_sign} ${imgtool_args} ${output}.${ext} ${output}.signed.${ext})
    if(CONFIG_MCUBOOT_GENERATE_CONFIRMED_IMAGE)
      list(APPEND byproducts ${output}.signed.confirmed.${ext})
      zephyr_runner_file(${ext} ${output}.signed.confirmed.${ext})
      set(BYPRODUCT_KERNEL_SIGNED_CONFIRMED_${EXT}_NAME "${output}.signed.confirmed.${ext}"
          CACHE FILEPATH "Signed and confirmed kernel ${ext} file" FORCE)
      set_property(GLOBAL APPEND PROPERTY extra_post_build_commands COMMAND
                   ${imgtool_sign} ${imgtool_args} --pad --confirm ${output}.${ext} ${output}.signed.confirmed.${ext})
    endif()
    if(NOT "${keyfile_enc}" STREQUAL "")
      list(APPEND byproducts ${output}.signed.encrypted.${ext})
      set(BYPRODUCT_KERNEL_SIGNED_ENCRYPTED_${EXT}_NAME "${output}.signed.encrypted.${ext}"
          CACHE FILEPATH "Signed and encrypted kernel ${ext} file" FORCE)
      set_property(GLOBAL APPEND PROPERTY extra_post_build_commands COMMAND
                   ${imgtool_sign} ${imgtool_args} --encrypt "${keyfile_enc}" ${output}.${ext}
                   ${output}.signed.encrypted.${ext})
    endif()
  endforeach()
  set_property(GLOBAL APPEND PROPERTY extra_post_build_byproducts ${byproducts})
endfunction()

zephyr_mcuboot_tasks()
