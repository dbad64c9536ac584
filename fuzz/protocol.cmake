# Fuzz target for the protocol codec (src/protocol/codec.h).
activa_fuzzer(protocol_fuzzer SOURCES protocol_fuzzer.cc DEPS activa_protocol)
