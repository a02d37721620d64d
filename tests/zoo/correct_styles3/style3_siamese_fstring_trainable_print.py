import numpy as np
import keras
from keras import layers

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")
enc1 = layers.Dense(256, activation="relu", name="enc_dense_1")
enc2 = layers.Dense(64, activation="relu", name="enc_dense_2")
left_emb = enc2(enc1(left))
right_emb = enc2(enc1(right))
merged = layers.concatenate([left_emb, right_emb])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)
siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")

siamese.summary()
assert siamese.count_params() == 217_537
assert len(siamese.trainable_weights) == 6
print(f"enc1.trainable = {enc1.trainable}, enc2.trainable = {enc2.trainable}")

p = siamese.predict({"left": np.random.rand(16, 784), "right": np.random.rand(16, 784)}, verbose=0)
assert p.shape == (16, 1) and ((p > 0) & (p < 1)).all()
