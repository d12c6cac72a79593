"""The local engine: llama.cpp in a worker process of its own, one worker per loaded model."""
