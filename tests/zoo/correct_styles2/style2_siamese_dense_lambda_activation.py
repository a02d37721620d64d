# Siamese comparator; encoder written as Dense(activation=lambda t: ops.relu(t)) - the activation argument takes any callable
import numpy as np
import keras
from keras import layers, ops

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")
enc1 = layers.Dense(256, activation=lambda t: ops.relu(t), name="enc_dense_1")
enc2 = layers.Dense(64, activation=lambda t: ops.relu(t), name="enc_dense_2")
merged = layers.concatenate([enc2(enc1(left)), enc2(enc1(right))])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)
siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
siamese.summary()
assert siamese.count_params() == 217_537
assert len(siamese.trainable_weights) == 6
emb = keras.Model(left, enc2(enc1(left)))
assert (emb.predict(np.random.rand(8, 784) - 0.5, verbose=0) >= 0).all()
print("ok")
