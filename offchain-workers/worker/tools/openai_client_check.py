"""Drives a running tributary-worker with the official OpenAI Python client (scripts/setup.sh installs
it into .venv; tests/openai_client.rs runs this script against the worker binary).

Usage: python openai_client_check.py http://127.0.0.1:8420 <model id>
Exits non-zero if listing, completing, streaming or the error path does not behave as OpenAI's, or
if any of these request fields does not: n, best_of, logprobs (completions and chat), echo, stop
lists, seed, presence/frequency penalties, logit_bias, user, max_completion_tokens,
stream_options, prompt lists and token-id prompts, the refusal of fields the worker does not
support, /v1/embeddings, response_format (JSON Schema and JSON object output) and tools. The test model's text is gibberish, so every check is structural (counts, indexes,
reproducibility, log-probability ranges, error fields), never about words.
Prints "ok: models [...]; ..." and then one line per feature.
"""
import json
import math
import sys
from itertools import accumulate

import openai
from openai import OpenAI

PROMPT = "This program is free software"
MESSAGES = [{"role": "user", "content": "What is the GPL?"}]
# How far apart two reports of one log-probability may be (float noise).
TOLERANCE = 1e-4


def expect_bad_request(create, param, **request):
    """Asserts that create(**request) is refused with OpenAI's 400 naming `param`."""
    try:
        create(**request)
    except openai.BadRequestError as e:
        assert e.type == "invalid_request_error", e.body
        assert e.param == param, (param, e.body)
        return
    raise AssertionError(f"a request with {param} = {request.get(param)!r} must be refused")


def texts_by_index(response, n):
    """The n choices' texts (a chat's message contents) in index order; indexes must be 0..n-1."""
    choices = sorted(response.choices, key=lambda choice: choice.index)
    assert [choice.index for choice in choices] == list(range(n)), response.choices
    if response.object == "chat.completion":
        return [choice.message.content for choice in choices]
    return [choice.text for choice in choices]


def whole(tokens):
    """True when no token is part of a character (completions name those "bytes:\\xNN...")."""
    return not any(token.startswith("bytes:") for token in tokens)


def assert_spells(tokens, text, finish_reason):
    """The tokens spell the text (an end-of-text token, if listed, may follow it)."""
    joined = "".join(tokens)
    assert joined == text or (finish_reason == "stop" and joined.startswith(text)), (tokens, text)


def assert_offsets(logprobs):
    """`text_offset` starts at 0, never decreases, and (for whole tokens) counts their characters."""
    offsets, tokens = logprobs.text_offset, logprobs.tokens
    assert len(offsets) == len(tokens) and offsets[0] == 0, logprobs
    assert offsets == sorted(offsets), offsets
    if whole(tokens):
        assert offsets == [0, *accumulate(len(token) for token in tokens)][:-1], logprobs


def assert_text_logprobs(choice, k, greedy):
    """A completion choice's columns for `logprobs=k` (no echo); greedy: chosen = likeliest."""
    logprobs = choice.logprobs
    tokens = logprobs.tokens
    assert tokens, f"no tokens generated for {choice!r}"
    assert len(logprobs.token_logprobs) == len(logprobs.top_logprobs) == len(tokens), logprobs
    assert all(logprob <= 0 for logprob in logprobs.token_logprobs), logprobs.token_logprobs
    assert all(len(top) == k for top in logprobs.top_logprobs), (k, logprobs.top_logprobs)
    if k > 0:
        for logprob, top in zip(logprobs.token_logprobs, logprobs.top_logprobs):
            best = max(top.values())
            assert logprob <= best + TOLERANCE, (logprob, top)
            assert not greedy or abs(logprob - best) <= TOLERANCE, (logprob, top)
    assert_offsets(logprobs)
    if whole(tokens):
        assert_spells(tokens, choice.text, choice.finish_reason)


def is_utf8(data):
    """True when the bytes are whole UTF-8 characters."""
    try:
        bytes(data).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def assert_chat_token(entry):
    """A chat logprob entry: logprob <= 0, and `bytes` are the token's UTF-8."""
    assert entry.logprob <= 0, entry
    assert all(0 <= b < 256 for b in entry.bytes), entry
    token = bytes(entry.bytes).decode("utf-8", "replace")
    assert entry.token == token or entry.token.startswith("bytes:"), entry


def check_n(client, model):
    """n > 1: n choices indexed 0..n-1; the same seed gives the same n texts again."""
    completion = dict(model=model, prompt=PROMPT, max_tokens=12, n=3, temperature=0.9, seed=7)
    texts = texts_by_index(client.completions.create(**completion), 3)
    assert texts_by_index(client.completions.create(**completion), 3) == texts, texts
    chat = dict(model=model, messages=MESSAGES, max_tokens=12, n=3, temperature=0.9, seed=7)
    replies = texts_by_index(client.chat.completions.create(**chat), 3)
    assert texts_by_index(client.chat.completions.create(**chat), 3) == replies, replies
    distinct = f"{len(set(texts))} distinct completions, {len(set(replies))} distinct chat replies"
    return f"n=3: {distinct}, each set reproducible by its seed"


def check_best_of(client, model):
    """best_of: n=2, best_of=4 answers 2 choices; best_of < n is refused."""
    request = dict(model=model, prompt=PROMPT, max_tokens=8, temperature=0.9, seed=3)
    texts_by_index(client.completions.create(**request, n=2, best_of=4), 2)
    no_retry = client.with_options(max_retries=0)
    expect_bad_request(no_retry.completions.create, "best_of", **request, n=3, best_of=2)
    return "best_of=4, n=2: 2 choices; best_of < n refused"


def check_completion_logprobs(client, model):
    """Completions' logprobs=k columns: greedy for k = 0, 1, 5, and sampled for k = 5."""
    request = dict(model=model, prompt=PROMPT, max_tokens=12)
    for k in (0, 1, 5):
        choice = client.completions.create(**request, temperature=0, logprobs=k).choices[0]
        assert_text_logprobs(choice, k, greedy=True)
    sampled = client.completions.create(**request, temperature=1.0, seed=4, logprobs=5).choices[0]
    assert_text_logprobs(sampled, 5, greedy=False)
    return f"logprobs: k=0,1,5 greedy and k=5 sampled, e.g. tokens {sampled.logprobs.tokens[:4]!r}"


def check_chat_logprobs(client, model):
    """Chat logprobs with top_logprobs=3, streamed or not; top_logprobs alone is refused."""
    request = dict(model=model, messages=MESSAGES, max_tokens=12, temperature=0, seed=2)
    chat = client.chat.completions.create(**request, logprobs=True, top_logprobs=3)
    choice = chat.choices[0]
    content = choice.logprobs.content
    assert content, chat
    for entry in content:
        assert_chat_token(entry)
        assert len(entry.top_logprobs) == 3, entry
        for top in entry.top_logprobs:
            assert_chat_token(top)
        best = max(top.logprob for top in entry.top_logprobs)
        assert abs(entry.logprob - best) <= TOLERANCE, entry
    tokens = [entry.token for entry in content]
    if all(is_utf8(entry.bytes) for entry in content):
        assert_spells(tokens, choice.message.content, choice.finish_reason)
    stream = client.chat.completions.create(**request, logprobs=True, top_logprobs=3, stream=True)
    streamed = [
        entry.token
        for chunk in stream
        if chunk.choices and chunk.choices[0].logprobs and chunk.choices[0].logprobs.content
        for entry in chunk.choices[0].logprobs.content
    ]
    assert streamed == tokens, (streamed, tokens)
    no_retry = client.with_options(max_retries=0)
    expect_bad_request(no_retry.chat.completions.create, "top_logprobs", **request, top_logprobs=3)
    return f"chat logprobs: {len(content)} tokens with 3 alternatives each, the stream lists the same"


def check_echo(client, model):
    """echo with max_tokens=0 scores the prompt (as lm-evaluation-harness does); echo keeps it."""
    scored = client.completions.create(model=model, prompt=PROMPT, echo=True, max_tokens=0, logprobs=1)
    choice = scored.choices[0]
    logprobs = choice.logprobs
    assert choice.text == PROMPT, choice
    assert scored.usage.completion_tokens == 0, scored.usage
    assert scored.usage.prompt_tokens == len(logprobs.tokens) > 1, (scored.usage, logprobs)
    assert logprobs.token_logprobs[0] is None, logprobs.token_logprobs
    rest = logprobs.token_logprobs[1:]
    assert all(logprob <= 0 for logprob in rest), rest
    assert all(len(top) == 1 for top in logprobs.top_logprobs[1:]), logprobs.top_logprobs
    assert_offsets(logprobs)
    assert "".join(logprobs.tokens) == PROMPT, logprobs.tokens
    likelihood = sum(rest)
    assert math.isfinite(likelihood) and likelihood < 0, likelihood
    continued = client.completions.create(model=model, prompt=PROMPT, echo=True, max_tokens=5, temperature=0)
    assert continued.choices[0].text.startswith(PROMPT), continued.choices[0]
    return f"echo: the {len(logprobs.tokens)}-token prompt scores {likelihood:.2f}; echo + 5 tokens keeps it"


def check_stop_list(client, model):
    """A stop list cuts the greedy text where one of its strings first occurs (finish "stop")."""
    request = dict(model=model, prompt=PROMPT, max_tokens=30, temperature=0)
    text = client.completions.create(**request).choices[0].text
    windows = (text[i : i + 3] for i in range(len(text) // 2, len(text) - 2))
    stop = next((w for w in windows if w.strip() and "\ufffd" not in w), None)
    assert stop, f"no 3-character stop sequence to take from the second half of {text!r}"
    cut = client.completions.create(**request, stop=[stop, "zzzz-never"]).choices[0]
    assert cut.text == text[: text.index(stop)], (text, stop, cut.text)
    assert cut.finish_reason == "stop", cut
    return f"stop: {stop!r} cuts the greedy text from {len(text)} to {len(cut.text)} characters"


def check_seed(client, model):
    """The same seed at temperature 1 samples the same text again."""
    completion = dict(model=model, prompt=PROMPT, max_tokens=16, temperature=1.0, seed=1234)
    text = client.completions.create(**completion).choices[0].text
    assert client.completions.create(**completion).choices[0].text == text
    chat = dict(model=model, messages=MESSAGES, max_tokens=16, temperature=1.0, seed=1234)
    reply = client.chat.completions.create(**chat).choices[0].message.content
    assert client.chat.completions.create(**chat).choices[0].message.content == reply
    return "seed: temperature 1 completions and chat replies repeat with their seed"


def check_penalties(client, model):
    """Penalties in [-2, 2] are accepted, 2.5 refused; frequency_penalty=2 repeats tokens less."""
    no_retry = client.with_options(max_retries=0)
    for field in ("presence_penalty", "frequency_penalty"):
        for value in (-2.0, 2.0):
            client.completions.create(model=model, prompt=PROMPT, max_tokens=4, **{field: value})
            client.chat.completions.create(model=model, messages=MESSAGES, max_tokens=4, **{field: value})
        expect_bad_request(no_retry.completions.create, field, model=model, prompt=PROMPT, **{field: 2.5})
    request = dict(model=model, prompt=PROMPT, max_tokens=40, temperature=0, logprobs=0)
    plain = client.completions.create(**request).choices[0].logprobs.tokens
    penalized = client.completions.create(**request, frequency_penalty=2.0).choices[0].logprobs.tokens
    # Over the tokens both generated, in case an end-of-text token cut one of them short.
    length = min(len(plain), len(penalized))
    assert len(set(penalized[:length])) >= len(set(plain[:length])), (plain, penalized)
    return (
        f"penalties: -2 and 2 accepted, 2.5 refused; distinct greedy tokens "
        f"{len(set(plain[:length]))} -> {len(set(penalized[:length]))} of {length} with frequency_penalty=2"
    )


def check_logit_bias(client, model):
    """logit_bias +100 on token 42 makes it every greedy token; 101 or a non-id key is refused."""
    request = dict(model=model, prompt=PROMPT, max_tokens=8, temperature=0, logprobs=0)
    tokens = client.completions.create(**request, logit_bias={"42": 100}).choices[0].logprobs.tokens
    assert len(set(tokens)) <= 1, tokens
    no_retry = client.with_options(max_retries=0)
    expect_bad_request(no_retry.completions.create, "logit_bias", **request, logit_bias={"42": 101})
    expect_bad_request(no_retry.completions.create, "logit_bias", **request, logit_bias={"abc": 1})
    return f"logit_bias: +100 on token 42 gives {tokens!r}; 101 and key 'abc' refused"


def check_user_and_max_completion_tokens(client, model):
    """`user` is accepted; chat's max_completion_tokens bounds the reply."""
    client.completions.create(model=model, prompt=PROMPT, max_tokens=4, user="someone")
    chat = client.chat.completions.create(
        model=model, messages=MESSAGES, max_completion_tokens=7, user="someone"
    )
    assert chat.usage.completion_tokens <= 7, chat.usage
    return f"user accepted; max_completion_tokens=7 gives {chat.usage.completion_tokens} tokens"


def check_stream_usage(client, model):
    """stream_options.include_usage adds a last chunk with usage and no choices; else no usage."""
    endpoints = [
        (client.completions.create, dict(model=model, prompt=PROMPT, max_tokens=8)),
        (client.chat.completions.create, dict(model=model, messages=MESSAGES, max_tokens=8)),
    ]
    for create, request in endpoints:
        *body, last = create(**request, stream=True, stream_options={"include_usage": True})
        assert last.choices == [] and last.usage and last.usage.completion_tokens > 0, last
        assert body and all(chunk.usage is None for chunk in body), body
        assert all(chunk.usage is None for chunk in create(**request, stream=True))
    return "stream_options: usage only on the last, choice-less chunk (completions and chat)"


def check_prompt_lists(client, model):
    """A list of prompts answers n choices each (index = prompt * n + j); token-id prompts work."""
    prompts = ["Report one:", "Water level is"]
    batch = client.completions.create(
        model=model, prompt=prompts, n=2, echo=True, max_tokens=4, temperature=0.9, seed=8
    )
    for index, text in enumerate(texts_by_index(batch, 4)):
        assert text.startswith(prompts[index // 2]), (index, text)
    texts_by_index(client.completions.create(model=model, prompt=[[1, 2, 3], [4, 5, 6]], max_tokens=4), 2)
    texts_by_index(client.completions.create(model=model, prompt=[1, 2, 3], max_tokens=4), 1)
    scored = client.completions.create(model=model, prompt=[1, 2, 3], echo=True, max_tokens=0, logprobs=0)
    assert scored.usage.prompt_tokens == 3 == len(scored.choices[0].logprobs.tokens), scored
    return "prompt lists: 2 prompts x n=2 give 4 choices in order; token-id prompts of 1 and 2 sequences"


def check_refused_fields(client, model):
    """Fields the worker does not support are refused by name; response_format text is accepted."""
    no_retry = client.with_options(max_retries=0)
    expect_bad_request(no_retry.completions.create, "suffix", model=model, prompt=PROMPT, suffix="x")
    chat = dict(model=model, messages=MESSAGES, max_tokens=4)
    parameters = {"type": "object", "properties": {}}
    refused = {
        "functions": [{"name": "f", "parameters": parameters}],
        "audio": {"voice": "alloy", "format": "wav"},
        "modalities": ["audio"],
    }
    for field, value in refused.items():
        expect_bad_request(no_retry.chat.completions.create, field, **chat, **{field: value})
    client.chat.completions.create(**chat, response_format={"type": "text"})
    return f"refused: suffix, {', '.join(refused)}; response_format text accepted"


def check_embeddings(client, model):
    """Embeddings: one unit vector per input, base64 (the client's default) equal to floats, the same
    text alone or among others gives the same vector, an adapter changes it, a wrong width is a 400."""
    base = next(m.id for m in client.models.list() if m.id != model)
    texts = [PROMPT, "the river rises", PROMPT]
    encoded = client.embeddings.create(model=model, input=texts)
    assert [item.index for item in encoded.data] == [0, 1, 2], encoded.data
    vectors = [item.embedding for item in encoded.data]
    width = len(vectors[0])
    assert width > 0 and all(len(v) == width for v in vectors)
    for vector in vectors:
        assert abs(math.sqrt(sum(x * x for x in vector)) - 1) < 1e-4, "unit length"
    floats = client.embeddings.create(model=model, input=texts, encoding_format="float")
    assert all(max(abs(a - b) for a, b in zip(x.embedding, y)) < 1e-6 for x, y in zip(floats.data, vectors))
    alone = client.embeddings.create(model=model, input=PROMPT, encoding_format="float").data[0].embedding
    assert max(abs(a - b) for a, b in zip(alone, vectors[0])) < 1e-4, "batching changes nothing"
    assert max(abs(a - b) for a, b in zip(vectors[0], vectors[2])) < 1e-4
    assert encoded.usage.prompt_tokens == encoded.usage.total_tokens > 0, encoded.usage
    on_base = client.embeddings.create(model=base, input=PROMPT, encoding_format="float").data[0].embedding
    assert max(abs(a - b) for a, b in zip(on_base, alone)) > 1e-4, "the adapter shapes the embedding"
    last = client.embeddings.create(model=model, input=PROMPT, extra_body={"pooling": "last"}).data[0].embedding
    assert len(last) == width and max(abs(a - b) for a, b in zip(last, alone)) > 1e-4
    tokens = client.embeddings.create(model=model, input=[[1, 2, 3]]).usage.prompt_tokens
    assert tokens == 3, tokens
    expect_bad_request(client.with_options(max_retries=0).embeddings.create, "dimensions",
                       model=model, input=PROMPT, dimensions=width + 1)
    cosine = sum(a * b for a, b in zip(vectors[0], vectors[1]))
    return f"embeddings: width {width}, unit length, base64 = floats, batch = alone, cosine of two texts {cosine:.3f}"


def parsed(text):
    """The JSON value of `text`, or an assertion naming the text."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise AssertionError(f"not JSON ({e}): {text!r}") from e


def check_response_format(client, model):
    """response_format: json_schema output parses and validates for every choice, streamed or not,
    on both endpoints; json_object output that ends is a JSON object; bad schemas are 400s."""
    schema = {
        "type": "object",
        "properties": {"ok": {"type": "boolean"}, "color": {"type": "string", "enum": ["red", "green"]}},
        "required": ["ok", "color"],
        "additionalProperties": False,
    }
    response_format = {"type": "json_schema", "json_schema": {"name": "answer", "schema": schema, "strict": True}}
    args = dict(model=model, messages=MESSAGES, max_tokens=120, temperature=0.9, seed=3, response_format=response_format)
    chat = client.chat.completions.create(**args, n=3)
    answers = []
    for choice in chat.choices:
        answer = parsed(choice.message.content)
        assert set(answer) == {"ok", "color"} and isinstance(answer["ok"], bool), answer
        assert answer["color"] in ("red", "green") and choice.finish_reason == "stop", choice
        answers.append(answer)
    streamed = "".join(c.choices[0].delta.content or "" for c in client.chat.completions.create(**args, stream=True))
    assert json.loads(streamed) == answers[0], (streamed, answers[0])
    completion = client.completions.create(model=model, prompt=PROMPT, max_tokens=120, temperature=0,
                                           extra_body={"response_format": response_format})
    assert set(json.loads(completion.choices[0].text)) == {"ok", "color"}, completion.choices[0].text
    loose = client.chat.completions.create(model=model, messages=MESSAGES, max_tokens=64, temperature=0,
                                           response_format={"type": "json_object"})
    choice = loose.choices[0]
    if choice.finish_reason == "stop":
        assert isinstance(json.loads(choice.message.content), dict), choice.message.content
    strict = client.with_options(max_retries=0)
    bad = {"type": "json_schema", "json_schema": {"name": "bad", "schema": {"type": 5}}}
    expect_bad_request(strict.chat.completions.create, "response_format", model=model, messages=MESSAGES,
                       response_format=bad)
    missing = {"type": "json_schema", "json_schema": {"name": "none"}}
    expect_bad_request(strict.chat.completions.create, "response_format", model=model, messages=MESSAGES,
                       response_format=missing)
    return (f"response_format: json_schema answers {answers} (stream and completions too); "
            f"json_object ended with {choice.finish_reason!r}; bad schemas refused")


WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "The weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string", "enum": ["Paris", "Oslo"]},
                                                    "unit": {"type": "string", "enum": ["C", "F"]}},
                   "required": ["city", "unit"], "additionalProperties": False}}}
CLOCK = {"type": "function", "function": {
    "name": "get_time",
    "parameters": {"type": "object", "properties": {"zone": {"type": "string", "enum": ["UTC", "CET"]}},
                   "required": ["zone"], "additionalProperties": False}}}


def assert_call(choice, names):
    """A choice that calls one tool of `names` with arguments valid under its parameters."""
    assert choice.finish_reason == "tool_calls" and choice.message.content is None, choice
    [call] = choice.message.tool_calls
    assert call.type == "function" and call.id and call.function.name in names, call
    arguments = parsed(call.function.arguments)
    if call.function.name == "get_weather":
        assert arguments["city"] in ("Paris", "Oslo") and arguments["unit"] in ("C", "F"), arguments
    else:
        assert arguments == {"zone": arguments["zone"]} and arguments["zone"] in ("UTC", "CET"), arguments
    return call


def check_tools(client, model):
    """tools (the test model's chat template lists them in the Hermes syntax): a named or required
    call is decoded under the function's parameters, streamed as one delta, answered by a tool
    message in a second turn; auto answers text or calls; a tool_choice naming no tool is a 400."""
    messages = [{"role": "user", "content": "Weather?"}]
    args = dict(model=model, messages=messages, tools=[WEATHER, CLOCK], max_tokens=100, temperature=0)
    named = client.chat.completions.create(**args, tool_choice={"type": "function", "function": {"name": "get_weather"}})
    call = assert_call(named.choices[0], {"get_weather"})
    required = client.chat.completions.create(**{**args, "temperature": 1}, tool_choice="required", n=2, seed=2)
    for choice in required.choices:
        assert_call(choice, {"get_weather", "get_time"})
    auto = client.chat.completions.create(**args).choices[0]
    assert auto.message.tool_calls or isinstance(auto.message.content, str), auto
    chunks = client.chat.completions.create(**args, tool_choice={"type": "function", "function": {"name": "get_weather"}},
                                            stream=True)
    streamed = [d for c in chunks if c.choices for d in (c.choices[0].delta.tool_calls or [])]
    assert [(d.function.name, d.function.arguments) for d in streamed] == [(call.function.name, call.function.arguments)]
    turn = messages + [
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": call.id, "type": "function", "function": {"name": call.function.name, "arguments": call.function.arguments}}]},
        {"role": "tool", "tool_call_id": call.id, "content": "4 C"},
    ]
    second = client.chat.completions.create(model=model, messages=turn, tools=[WEATHER, CLOCK], max_tokens=4)
    assert second.choices[0].finish_reason in ("stop", "length", "tool_calls"), second
    strict = client.with_options(max_retries=0)
    expect_bad_request(strict.chat.completions.create, "tool_choice", **args,
                       tool_choice={"type": "function", "function": {"name": "no_such_tool"}})
    return (f"tools: named call {call.function.name}({call.function.arguments}); required x2; auto "
            f"{'called' if auto.message.tool_calls else 'answered text'}; stream and second turn; unknown name refused")


FEATURE_CHECKS = [
    check_n,
    check_best_of,
    check_completion_logprobs,
    check_chat_logprobs,
    check_echo,
    check_stop_list,
    check_seed,
    check_penalties,
    check_logit_bias,
    check_user_and_max_completion_tokens,
    check_stream_usage,
    check_prompt_lists,
    check_refused_fields,
    check_embeddings,
    check_response_format,
    check_tools,
]


def main():
    base_url, model = sys.argv[1], sys.argv[2]
    client = OpenAI(base_url=f"{base_url}/v1", api_key="unused")

    ids = [m.id for m in client.models.list()]
    assert model in ids, ids
    args = dict(model=model, prompt=PROMPT, max_tokens=24, temperature=0.7, seed=5)
    completion = client.completions.create(**args)
    text = completion.choices[0].text
    streamed = "".join(chunk.choices[0].text for chunk in client.completions.create(**args, stream=True))
    assert streamed == text, (streamed, text)
    chat_args = dict(model=model, messages=MESSAGES, max_tokens=20, seed=1)
    chat = client.chat.completions.create(**chat_args)
    chunks = client.chat.completions.create(**chat_args, stream=True)
    parts = [c.choices[0].delta.content or "" for c in chunks]
    assert "".join(parts) == chat.choices[0].message.content
    try:
        client.completions.create(model="no-such-model", prompt="x")
        raise AssertionError("an unknown model must fail")
    except openai.NotFoundError:
        pass

    summaries = [check(client, model) for check in FEATURE_CHECKS]
    print(f"ok: models {ids}; completion {text!r}; chat {chat.choices[0].message.content!r}; streams match")
    for summary in summaries:
        print(f"  {summary}")


if __name__ == "__main__":
    main()
