# Fuzz targets of src/keys (included from fuzz/CMakeLists.txt).
activa_fuzzer(product_key_fuzzer
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/product_key_fuzzer.cc
  DEPS activa_keys)

activa_fuzzer(activation_code_fuzzer
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/activation_code_fuzzer.cc
  DEPS activa_keys)
