"""A small causal DNA language model trained here in seconds: the canary's positive control (issue 25).

A 2-layer Mistral-architecture transformer of width 64 (RoPE, attention limited to the last 16 tokens) over
single nucleotides (the tokenizer of ``tests.tiny_models.make_gpt2``), trained with Adam on random windows of both
strands of NC_000913.3's training split (``fixtures.genome_split``), so the canary's held-out windows and the
natural promoters are DNA it never saw. The sliding window is why it trains in seconds: trained on 48-nt windows
it reads 150-nt ones as well, where a GPT-2 (learned absolute positions) must be trained on the scored length and,
measured here, was still at ln 4 after 300 steps of 32 × 128 nt. Every draw is seeded and torch runs on one
thread, so one seed gives one checkpoint on one machine kind. Saved with ``save_pretrained``: MIT loads it as
``hf-causal:FOLDER`` like any user's model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

CONTEXT = 48
BATCH = 64
LEARNING_RATE = 5e-3
SLIDING_WINDOW = 16
# Token ids of tests.tiny_models.causal_char_tokenizer: <pad> <unk> <bos> <eos> A C G T N.
BOS, FIRST_BASE = 2, 4


def training_strands(data_dir=None) -> np.ndarray:
    """``(n,)`` uint8 codes of the training split's forward segments then their reverse complements, joined
    (a window that spans a join is a few nt of seam in ~9 M: harmless for a control)."""
    from fixtures.grammar import encode
    from fixtures.genome_split import ecoli_training_segments
    forward = [encode([s])[0] for s in ecoli_training_segments(data_dir)]
    return np.concatenate(forward + [3 - codes[::-1] for codes in forward])


def train_small_lm(folder: Path, steps: int, *, seed: int = 0, hidden: int = 64, layers: int = 2,
                     data_dir=None) -> Path:
    """Train the transformer for ``steps`` Adam steps of ``BATCH`` windows of ``CONTEXT`` nt and save it in ``folder``.
    Each window is read after BOS, as MIT's causal scorer reads a sequence, so the first base is trained too."""
    import torch
    from transformers import MistralConfig, MistralForCausalLM

    from tests.tiny_models import causal_char_tokenizer

    strands = training_strands(data_dir)
    tokenizer = causal_char_tokenizer()
    torch.manual_seed(seed)
    config = MistralConfig(vocab_size=len(tokenizer), hidden_size=hidden, num_hidden_layers=layers,
                           num_attention_heads=4, num_key_value_heads=4, intermediate_size=2 * hidden,
                           max_position_embeddings=1024, sliding_window=SLIDING_WINDOW,
                           bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                           pad_token_id=tokenizer.pad_token_id)
    model = MistralForCausalLM(config).train()
    optimiser = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    rng = np.random.default_rng(seed)
    offsets = np.arange(CONTEXT)
    for _ in range(steps):
        starts = rng.integers(0, strands.size - CONTEXT, size=BATCH)
        tokens = torch.from_numpy(strands[starts[:, None] + offsets].astype(np.int64) + FIRST_BASE)
        inputs = torch.cat([torch.full((BATCH, 1), BOS, dtype=torch.int64), tokens], dim=1)
        logits = model(input_ids=inputs[:, :-1]).logits
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), tokens.reshape(-1))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model.eval().save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
