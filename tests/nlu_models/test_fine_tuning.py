"""Length-bucketed batches and length-sorted inference in the fine-tuning loop."""

from __future__ import annotations

import random

import torch

from nlu_models.encoder import SentenceClassifier, load_tokenizer, packaged_base_model
from nlu_models.fine_tuning import bucketing_applies, length_bucketed_batches, random_batches
from nlu_models.inference import predict_logits


def test_every_example_is_in_exactly_one_batch_of_similar_lengths():
    rng = random.Random(0)
    lengths = [rng.randint(1, 60) for _ in range(1000)]
    batches = length_bucketed_batches(lengths, 32, torch.Generator().manual_seed(1), pool=5)
    assert sorted(i for batch in batches for i in batch) == list(range(1000))
    assert all(1 <= len(batch) <= 32 for batch in batches)
    spread = sum(max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in batches)
    shuffled = list(range(1000))
    rng.shuffle(shuffled)
    random_batches = [shuffled[i : i + 32] for i in range(0, 1000, 32)]
    random_spread = sum(
        max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in random_batches
    )
    assert spread < random_spread / 4  # far less padding than random batches


def test_batches_follow_the_seed_and_change_between_epochs():
    lengths = list(range(200))
    first = length_bucketed_batches(lengths, 16, torch.Generator().manual_seed(7), pool=2)
    assert first == length_bucketed_batches(lengths, 16, torch.Generator().manual_seed(7), pool=2)
    generator = torch.Generator().manual_seed(7)
    epoch_1 = length_bucketed_batches(lengths, 16, generator, pool=2)
    epoch_2 = length_bucketed_batches(lengths, 16, generator, pool=2)
    assert epoch_1 != epoch_2


def test_a_small_data_set_gets_plain_random_batches():
    assert not bucketing_applies(200, 16)  # fewer than MIN_POOLS pools of 50 batches of 16
    assert bucketing_applies(15_000, 32) and not bucketing_applies(2_061, 32)
    batches = random_batches(200, 16, torch.Generator().manual_seed(3))
    assert sorted(i for batch in batches for i in batch) == list(range(200))
    spreads = [max(batch) - min(batch) for batch in batches]
    assert sum(spreads) / len(spreads) > 100  # random lengths side by side, not sorted


def test_logits_come_back_in_the_order_of_the_texts():
    base = packaged_base_model()
    tokenizer = load_tokenizer(base)
    torch.manual_seed(0)
    model = SentenceClassifier.from_base(base, num_labels=3)
    texts = ["a much longer message about a parcel that never came", "hi", "return these shoes"]
    together = predict_logits(model, tokenizer, texts, max_length=32, batch_size=2)
    alone = torch.cat([predict_logits(model, tokenizer, [t], max_length=32) for t in texts])
    assert torch.allclose(together, alone, atol=1e-4)
