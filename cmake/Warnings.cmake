# Warnings for enflow's own targets only: LibTorch's headers are included as
# SYSTEM so their warnings do not drown ours.
function(enflow_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  if(ENFLOW_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
