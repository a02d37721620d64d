# The embeddings are L2-normalised (a common siamese trick) on the left side only: UnitNormalization
# on left_emb alone (encoder_paths_differ). No weights, so 217,537 params, 6 trainable weights and
# a (16, 1) output in (0, 1) all hold, yet the two inputs are encoded by different functions.
import numpy as np
import keras
from keras import layers

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")
enc1 = layers.Dense(256, activation="relu", name="enc_dense_1")
enc2 = layers.Dense(64, activation="relu", name="enc_dense_2")
l2 = layers.UnitNormalization(name="l2_norm")

left_emb = l2(enc2(enc1(left)))
right_emb = enc2(enc1(right))          # (forgot l2 here)

merged = layers.concatenate([left_emb, right_emb])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)
siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
assert siamese.count_params() == 217_537
assert len(siamese.trainable_weights) == 6
x = np.random.rand(16, 784).astype("float32")
a = siamese.predict([x, x], verbose=0)
print("identical pair, both orders equal?", np.allclose(a, a))
emb = keras.Model([left, right], [left_emb, right_emb]).predict([x, x], verbose=0)
print("same image -> same embedding?", np.allclose(emb[0], emb[1]))
