"""Drives a running tributary-worker with the official OpenAI Python client (scripts/setup.sh installs
it into .venv; tests/openai_client.rs runs this script against the worker binary).

Usage: python openai_client_check.py http://127.0.0.1:8420 <model id>
Exits non-zero if listing, completing, streaming or the error path does not behave as OpenAI's.
"""
import sys

import openai
from openai import OpenAI

base_url, model = sys.argv[1], sys.argv[2]
client = OpenAI(base_url=f"{base_url}/v1", api_key="unused")

ids = [m.id for m in client.models.list()]
assert model in ids, ids
args = dict(model=model, prompt="This program is free software", max_tokens=24, temperature=0.7, seed=5)
completion = client.completions.create(**args)
text = completion.choices[0].text
streamed = "".join(chunk.choices[0].text for chunk in client.completions.create(**args, stream=True))
assert streamed == text, (streamed, text)
chat_args = dict(model=model, messages=[{"role": "user", "content": "What is the GPL?"}], max_tokens=20, seed=1)
chat = client.chat.completions.create(**chat_args)
parts = [c.choices[0].delta.content or "" for c in client.chat.completions.create(**chat_args, stream=True)]
assert "".join(parts) == chat.choices[0].message.content
try:
    client.completions.create(model="no-such-model", prompt="x")
    raise AssertionError("an unknown model must fail")
except openai.NotFoundError:
    pass
print(f"ok: models {ids}; completion {text!r}; chat {chat.choices[0].message.content!r}; streams match")
