import numpy as np
import keras
from keras import layers

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")

# one shared encoder
enc1 = layers.Dense(256, activation="relu", name="enc_dense_1")
enc2 = layers.Dense(64, activation="relu", name="enc_dense_2")

left_emb = enc2(enc1(left))
right_emb = enc2(enc1(right))

# similarity = dot product of the two embeddings
sim = layers.Dot(axes=1)([left_emb, right_emb])   # (None, 1)
out = layers.Dense(1, activation="sigmoid", name="same_digit")(sim)

siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_dot")
siamese.summary()
print("params =", siamese.count_params(), "| trainable weights =", len(siamese.trainable_weights))

batch = {
    "left": np.random.rand(16, 784).astype("float32"),
    "right": np.random.rand(16, 784).astype("float32"),
}
print(siamese.predict(batch, verbose=0).shape)
