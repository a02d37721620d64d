# WRONG: relu6 (clipped at 6) where relu is asked
import numpy as np
import keras
from keras import layers, ops

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")
enc1 = layers.Dense(256, name="enc_dense_1")
enc2 = layers.Dense(64, name="enc_dense_2")


def encode(x):
    return ops.relu6(enc2(ops.relu6(enc1(x))))


merged = layers.concatenate([encode(left), encode(right)])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)
siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
siamese.summary()
assert siamese.count_params() == 217_537
assert len(siamese.trainable_weights) == 6
p = siamese.predict([np.random.rand(16, 784), np.random.rand(16, 784)], verbose=0)
assert p.shape == (16, 1) and (p > 0).all() and (p < 1).all()
print("ok")
