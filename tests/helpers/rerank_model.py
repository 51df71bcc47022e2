"""A tiny cross-encoder built from a config (random weights, a WordPiece vocabulary trained on
``TEXTS``): real enough to run the reranking stage, arbitrary in its order."""

from __future__ import annotations

TEXTS = ["Copperwing owls migrate every October during moonless nights.",
         "Ironleaf tea grows above two thousand metres and is picked at dawn.",
         "The Ostrand lighthouse was rebuilt in 1987 after a storm.",
         "铜翼猫头鹰在十月无月之夜迁徙。",
         "Glacier ants freeze solid in winter and thaw in spring.",
         "Robotic beekeepers count pollen grains with tiny cameras."]


def tiny_cross_encoder(folder):
    import torch
    from tokenizers import BertWordPieceTokenizer
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    tok = BertWordPieceTokenizer(lowercase=True)
    tok.train_from_iterator(TEXTS * 3, vocab_size=300, min_frequency=1)
    fast = BertTokenizerFast(tokenizer_object=tok._tokenizer, unk_token="[UNK]", sep_token="[SEP]",
                             pad_token="[PAD]", cls_token="[CLS]", mask_token="[MASK]")
    fast.save_pretrained(folder)
    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=len(fast), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=256, num_labels=1)
    BertForSequenceClassification(cfg).save_pretrained(folder)
