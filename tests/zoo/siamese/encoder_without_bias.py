import numpy as np
import keras
from keras import layers

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")

# shared encoder; I read that bias is redundant before relu so turned it off
enc1 = layers.Dense(256, activation="relu", use_bias=False, name="enc_dense_1")
enc2 = layers.Dense(64, activation="relu", use_bias=False, name="enc_dense_2")


def encode(x):
    return enc2(enc1(x))


left_emb = encode(left)
right_emb = encode(right)

merged = layers.concatenate([left_emb, right_emb])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)

siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
siamese.summary()
print(siamese.count_params(), len(siamese.trainable_weights))

x1 = np.random.rand(4, 784).astype("float32")
x2 = np.random.rand(4, 784).astype("float32")
print(siamese.predict({"left": x1, "right": x2}, verbose=0).ravel())
