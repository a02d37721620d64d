# Siamese comparator. I like to keep Dense layers linear and put the nonlinearity in its own
# layer, so I wrap keras.ops.relu in a Lambda layer (works with any backend).
import numpy as np
import keras
from keras import layers, ops

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")

enc1 = layers.Dense(256, name="enc_dense_1")
act1 = layers.Lambda(lambda t: ops.relu(t), name="enc_relu_1")
enc2 = layers.Dense(64, name="enc_dense_2")
act2 = layers.Lambda(lambda t: ops.relu(t), name="enc_relu_2")


def encode(x):
    return act2(enc2(act1(enc1(x))))


merged = layers.concatenate([encode(left), encode(right)])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)
siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
siamese.summary()

assert siamese.count_params() == 217_537, siamese.count_params()
assert len(siamese.trainable_weights) == 6
batch = {"left": np.random.rand(16, 784).astype("float32"),
         "right": np.random.rand(16, 784).astype("float32")}
p = siamese.predict(batch, verbose=0)
assert p.shape == (16, 1) and (p > 0).all() and (p < 1).all()
emb = keras.Model(left, encode(left))
assert (emb.predict(batch["left"] - 0.5, verbose=0) >= 0).all()
print("ok")
