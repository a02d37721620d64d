"""Day 2 exercise: siamese digit comparator. Everything lives in main(); the
finished model is published as a module global so I can poke at it in a REPL."""
import numpy as np
import keras
from keras import layers

siamese = None  # filled in by main()


def main() -> None:
    global siamese
    keras.utils.set_random_seed(1234)

    left = keras.Input(shape=(784,), name="left")
    right = keras.Input(shape=(784,), name="right")

    enc_a = layers.Dense(256, activation="relu", name="enc_dense_1")
    enc_b = layers.Dense(64, activation="relu", name="enc_dense_2")

    emb_l = enc_b(enc_a(left))
    emb_r = enc_b(enc_a(right))

    merged = keras.layers.Concatenate(axis=1, name="pair_embedding")([emb_l, emb_r])
    same = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)
    siamese = keras.Model([left, right], same, name="siamese_mlp")
    siamese.summary(expand_nested=True, show_trainable=True)

    assert siamese.count_params() == 217_537
    assert len(siamese.trainable_weights) == 6

    xl = np.random.rand(16, 784).astype("float32")
    xr = np.random.rand(16, 784).astype("float32")
    p = siamese.predict([xl, xr], verbose=0)
    assert p.shape == (16, 1) and ((p > 0) & (p < 1)).all()
    print("ok", p[:3].ravel())


main()
