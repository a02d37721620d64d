import numpy as np
import keras
from keras import layers

encoder = keras.Sequential([keras.Input(shape=(784,)),
                            layers.Dense(256, activation="relu"),
                            layers.Dense(64, activation="relu")], name="encoder")
left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")
merged = layers.concatenate([encoder(left), encoder(right)])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)
siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
encoder.trainable = False
print(len(siamese.trainable_weights))   # 2
encoder.layers[0].trainable = True
print(len(siamese.trainable_weights))   # still 2: the encoder itself is frozen
encoder.trainable = True
print(len(siamese.trainable_weights))   # 6
