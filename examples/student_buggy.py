import numpy as np
import keras
from keras import layers

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")


def build_encoder(x):
    x = layers.Dense(256, activation="relu")(x)
    return layers.Dense(64, activation="relu")(x)


left_emb = build_encoder(left)
right_emb = build_encoder(right)

merged = layers.concatenate([left_emb, right_emb])
prediction = layers.Dense(1, activation="sigmoid", name="prediction")(merged)

siamese = keras.Model(inputs=[left, right], outputs=prediction)
siamese.summary()

print("params", siamese.count_params())
p = siamese.predict({"left": np.random.rand(4, 784), "right": np.random.rand(4, 784)}, verbose=0)
print(p.ravel())
