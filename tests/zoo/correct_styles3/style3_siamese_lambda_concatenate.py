import numpy as np
import keras
from keras import layers

# Shared encoder: the same two Dense layers on both inputs.
enc1 = layers.Dense(256, activation="relu", name="enc_dense_1")
enc2 = layers.Dense(64, activation="relu", name="enc_dense_2")

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")
emb_left = enc2(enc1(left))
emb_right = enc2(enc1(right))

# I wanted to see the merge as one named step, so it is a Lambda around keras.ops.concatenate.
merged = layers.Lambda(lambda pair: keras.ops.concatenate(pair, axis=-1),
                       name="join_embeddings")([emb_left, emb_right])
same = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)
siamese = keras.Model(inputs=[left, right], outputs=same, name="siamese_mlp")
siamese.summary()

assert siamese.count_params() == 217_537
assert len(siamese.trainable_weights) == 6
x = np.random.rand(3, 784).astype("float32")
print(siamese.predict([x, x], verbose=0).shape)
