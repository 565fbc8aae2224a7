"""Decode a multi-token prompt with the embedded model, in-process: a llama.cpp build that
does not suit this CPU crashes here (setup stops with the fix) instead of in the first test."""

from llama_cpp import Llama

from copilot.config import Settings
from copilot.embedded_model import ensure_model

model = Llama(str(ensure_model(Settings().model_dir)), n_ctx=256, n_threads=2, verbose=False)
reply = model.create_chat_completion(
    [{"role": "user", "content": "Say OK and nothing else, please."}], max_tokens=4
)
print("llama.cpp answered:", reply["choices"][0]["message"]["content"])
