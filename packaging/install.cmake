# Installs activad's system files with the paths of the prefix given to
# `cmake --install` (run through install(SCRIPT), so --prefix and DESTDIR
# are the ones in force at install time, not at configure time):
#
#   PREFIX/lib/systemd/system/activad.service   ExecStart=PREFIX/sbin/activad
#   SYSCONFDIR/activa/activa.toml               the configuration template
#   PREFIX/lib/sysusers.d/activa.conf           the group activa-admin
#   SYSCONFDIR/pam.d/activa                     PAM for remote logins
#
# SYSCONFDIR is /etc for the prefix /usr (as GNUInstallDirs has it), else
# PREFIX/etc. An existing activa.toml or pam.d/activa is kept: it is the
# administrator's.
# ACTIVA_PACKAGING_DIR and ACTIVA_SBIN_RELATIVE are set by tools/CMakeLists.txt.
set(prefix "${CMAKE_INSTALL_PREFIX}")
if(prefix STREQUAL "/usr")
  set(ACTIVA_SYSCONFDIR "/etc")
else()
  set(ACTIVA_SYSCONFDIR "${prefix}/etc")
endif()
set(ACTIVA_SBINDIR "${prefix}/${ACTIVA_SBIN_RELATIVE}")
set(destdir "$ENV{DESTDIR}")

set(unit_dir "${destdir}${prefix}/lib/systemd/system")
message(STATUS "Installing: ${unit_dir}/activad.service")
configure_file("${ACTIVA_PACKAGING_DIR}/activad.service.in" "${unit_dir}/activad.service" @ONLY)

set(sysusers_dir "${destdir}${prefix}/lib/sysusers.d")
message(STATUS "Installing: ${sysusers_dir}/activa.conf")
configure_file("${ACTIVA_PACKAGING_DIR}/activa-sysusers.conf" "${sysusers_dir}/activa.conf" COPYONLY)

set(config "${destdir}${ACTIVA_SYSCONFDIR}/activa/activa.toml")
if(EXISTS "${config}")
  message(STATUS "Keeping: ${config}")
else()
  message(STATUS "Installing: ${config}")
  configure_file("${ACTIVA_PACKAGING_DIR}/activa.toml" "${config}" COPYONLY)
endif()

set(pam "${destdir}${ACTIVA_SYSCONFDIR}/pam.d/activa")
if(EXISTS "${pam}")
  message(STATUS "Keeping: ${pam}")
else()
  message(STATUS "Installing: ${pam}")
  configure_file("${ACTIVA_PACKAGING_DIR}/pam.d/activa" "${pam}" COPYONLY)
endif()

# Installed into the running system (no DESTDIR) by root: create the group
# now, as a package's postinst would. Staged installs leave it to the
# package.
find_program(ACTIVA_SYSUSERS systemd-sysusers)
if(destdir STREQUAL "" AND ACTIVA_SYSUSERS)
  execute_process(COMMAND id -u OUTPUT_VARIABLE uid OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(uid STREQUAL "0")
    message(STATUS "Creating the group activa-admin: ${ACTIVA_SYSUSERS} ${sysusers_dir}/activa.conf")
    execute_process(COMMAND "${ACTIVA_SYSUSERS}" "${sysusers_dir}/activa.conf"
                    RESULT_VARIABLE sysusers_result)
    if(NOT sysusers_result EQUAL 0)
      message(WARNING "systemd-sysusers failed (${sysusers_result}); run it by hand")
    endif()
  endif()
endif()
