# Warnings for enflow's own targets only: LibTorch's headers are included as
# SYSTEM so their warnings do not drown ours.
function(enflow_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  if(ENFLOW_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# Executables reuse libenflow's precompiled header. It is built position-independent (-fPIC,
# for the shared library), and GCC ignores a precompiled header made with other -fpic/-fpie
# settings (Debian's GCC defaults to -fpie), so these targets are compiled with -fPIC too.
function(enflow_reuse_pch target)
  target_precompile_headers(${target} REUSE_FROM enflow_core)
  target_compile_options(${target} PRIVATE -fPIC)
endfunction()
