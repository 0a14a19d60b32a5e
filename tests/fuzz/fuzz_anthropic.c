/*
 * fuzz_anthropic.c - libFuzzer harness for the Anthropic Messages wire
 * format (agentd/model_anthropic.c and model_wire.c, behind
 * agentd/sse.c; agentd parses model providers' answers, trust zone
 * "agentd").  The harness is fuzz_openai.c's, run with the Anthropic
 * API: SSE streams fed whole and cut, whole bodies, conversations made
 * into requests, HTTP error bodies.  See fuzz_openai.c.
 */
#define FUZZ_API	MODEL_API_ANTHROPIC

#include "fuzz_openai.c"
